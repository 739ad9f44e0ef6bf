/**
 * The FHIR endpoints over HTTP (supertest, in-process): content types, status codes, headers.
 * The mapping itself is tested in test/fhir/.
 */
import type { OperationOutcome, Parameters } from 'fhir/r4';
import request from 'supertest';
import { createApp } from '../../src/http/create-app';
import { Readiness } from '../../src/http/readiness';
import type { RuleCatalog } from '../../src/rules/rule-catalog';
import { committedCatalog, fixture, twoYearOld } from '../fhir/builders';
import { fhirValidator } from '../support/fhir-schema';

const catalog = committedCatalog();
const validator = fhirValidator();
const app = createApp({ readiness: new Readiness(), catalog });
const example = fixture('immds-parameters-in-example.json') as object;
const FORECAST = '/fhir/$immds-forecast';

function post(body: string | object, type = 'application/fhir+json') {
  return request(app)
    .post(FORECAST)
    .set('Content-Type', type)
    .send(typeof body === 'string' ? body : JSON.stringify(body));
}

/** The response body as an OperationOutcome (checked by the caller). */
const outcomeOf = (res: request.Response) => res.body as OperationOutcome;

function expectOutcome(res: request.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
  expect(outcomeOf(res).resourceType).toBe('OperationOutcome');
  expect(outcomeOf(res).issue[0]?.code).toBe(code);
  expect(['error', 'fatal']).toContain(outcomeOf(res).issue[0]?.severity);
  expect(validator.errors(res.body)).toEqual([]);
  expect(res.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
}

describe('POST /fhir/$immds-forecast', () => {
  test('answers the ImmDS example with 200, FHIR JSON, the rule set in X-Rule-Set, and valid Parameters', async () => {
    const res = await post(example).set('Accept', 'application/fhir+json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    expect(res.headers['x-rule-set']).toBe('cdc-cdsi@4.64');
    expect((res.body as Parameters).resourceType).toBe('Parameters');
    expect(validator.errors(res.body)).toEqual([]);
  });

  test('sends the answer as UTF-8 with its exact byte length, text outside ASCII escaped and intact', async () => {
    // An MMR given before the first birthday: its reason is explained in words with an em dash.
    const body = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'assessmentDate', valueDate: '2026-03-20' },
        {
          name: 'patient',
          resource: {
            resourceType: 'Patient',
            id: 'p1',
            birthDate: '2024-03-20',
            gender: 'female',
          },
        },
        {
          name: 'immunization',
          resource: {
            resourceType: 'Immunization',
            id: 'mmr-early',
            status: 'completed',
            patient: { reference: 'Patient/p1' },
            occurrenceDateTime: '2024-09-15',
            vaccineCode: {
              coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '03' }],
              text: 'Vacuna triple vírica — niños',
            },
          },
        },
      ],
    };
    const res = await post(body).buffer(true);
    expect(res.status).toBe(200);
    const raw = Buffer.from(res.text, 'utf8');
    expect(Number(res.headers['content-length'])).toBe(raw.length);
    expect(raw.every((b) => b < 0x80)).toBe(true);
    expect(res.text).toContain('Age: Too Young \\u2014 given 182 days before');
    expect(JSON.stringify(res.body)).toContain('Age: Too Young — given 182 days before');
  });

  test.each([
    ['application/json'],
    ['application/json; charset=utf-8'],
    ['application/fhir+json; charset=utf-8'],
    ['application/fhir+json; fhirVersion=4.0'],
  ])('accepts a body of type %s', async (type) => {
    expect((await post(twoYearOld(), type)).status).toBe(200);
  });

  test('answers in application/json to a client that asks for it', async () => {
    const res = await post(example).set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  test('answers FHIR JSON to a client that accepts anything, or asks with _format=json', async () => {
    expect((await post(example).set('Accept', '*/*')).headers['content-type']).toMatch(
      /^application\/fhir\+json/,
    );
    const res = await request(app)
      .post(`${FORECAST}?_format=json`)
      .set('Content-Type', 'application/fhir+json')
      .set('Accept', 'text/html')
      .send(JSON.stringify(example));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
  });

  test('also answers the path with the $ percent-encoded', async () => {
    const res = await request(app)
      .post('/fhir/%24immds-forecast')
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(example));
    expect(res.status).toBe(200);
  });

  test('400 with the FHIRPath of every problem for an invalid request', async () => {
    const res = await post({
      resourceType: 'Parameters',
      parameter: [{ name: 'assessmentDate', valueDate: '2026-03' }],
    });
    expectOutcome(res, 400, 'value');
    expect(outcomeOf(res).issue.map((i) => i.expression)).toEqual([
      ['Parameters.parameter[0].value'],
      ['Parameters.parameter'],
    ]);
  });

  test('400 for a body that is not a Parameters resource', async () => {
    expectOutcome(await post({ resourceType: 'Patient' }), 400, 'structure');
  });

  test('400 for malformed JSON', async () => {
    expectOutcome(await post('{"resourceType": "Parameters",'), 400, 'invalid');
  });

  test('400 for an empty body', async () => {
    expectOutcome(await post(''), 400, 'structure');
  });

  test('415 for a body without Content-Type', async () => {
    const res = await request(app)
      .post(FORECAST)
      .send(Buffer.from(JSON.stringify(example)));
    expectOutcome(res, 415, 'not-supported');
  });

  test.each([
    ['text/plain'],
    ['application/xml'],
    ['application/fhir+xml'],
    ['application/x-www-form-urlencoded'],
  ])('415 for a body of type %s', async (type) => {
    expectOutcome(await post('<Parameters/>', type), 415, 'not-supported');
  });

  test('415 for a JSON body in a charset other than UTF-8', async () => {
    expectOutcome(await post(example, 'application/fhir+json; charset=latin1'), 415, 'invalid');
  });

  test('406 for a client that accepts only XML', async () => {
    expectOutcome(await post(example).set('Accept', 'application/fhir+xml'), 406, 'not-supported');
    const res = await request(app)
      .post(`${FORECAST}?_format=xml`)
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(example));
    expectOutcome(res, 406, 'not-supported');
  });

  test('413 for a body over the configured limit', async () => {
    const small = createApp({ readiness: new Readiness(), catalog, bodyLimit: 512 });
    const res = await request(small)
      .post(FORECAST)
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(twoYearOld()));
    expectOutcome(res, 413, 'too-costly');
  });

  test.each([['get'], ['put'], ['delete'], ['patch']] as const)(
    '405 with Allow: POST for %s',
    async (method) => {
      const res = await request(app)[method](FORECAST);
      expectOutcome(res, 405, 'not-supported');
      expect(res.headers['allow']).toBe('POST');
    },
  );

  test('404 for the operation at the Patient level, which ImmDS does not define', async () => {
    const res = await request(app)
      .post('/fhir/Patient/$immds-forecast')
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(example));
    expectOutcome(res, 404, 'not-found');
  });

  test('500 with a generic OperationOutcome and no internals when something breaks', async () => {
    const broken: RuleCatalog = {
      ...catalog,
      get: () => {
        throw new Error('secret internal detail');
      },
    };
    const res = await request(createApp({ readiness: new Readiness(), catalog: broken }))
      .post(FORECAST)
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(example));
    expectOutcome(res, 500, 'exception');
    expect(res.text).not.toContain('secret');
  });
});

describe('GET /fhir/metadata', () => {
  test('returns a valid CapabilityStatement naming $immds-forecast', async () => {
    const res = await request(app).get('/fhir/metadata');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(res.body).toMatchObject({
      resourceType: 'CapabilityStatement',
      fhirVersion: '4.0.1',
      rest: [{ mode: 'server', operation: [{ name: 'immds-forecast' }] }],
    });
    expect(validator.errors(res.body)).toEqual([]);
  });

  test('405 with Allow: GET for POST', async () => {
    const res = await request(app).post('/fhir/metadata');
    expectOutcome(res, 405, 'not-supported');
    expect(res.headers['allow']).toBe('GET');
  });
});

describe('GET /fhir/OperationDefinition/immds-forecast', () => {
  test('returns our valid OperationDefinition, based on the ImmDS one', async () => {
    const res = await request(app).get('/fhir/OperationDefinition/immds-forecast');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      resourceType: 'OperationDefinition',
      code: 'immds-forecast',
      base: 'http://hl7.org/fhir/us/immds/OperationDefinition/ImmDSForecastOperation',
    });
    expect(validator.errors(res.body)).toEqual([]);
  });

  test('404 for another OperationDefinition', async () => {
    expectOutcome(await request(app).get('/fhir/OperationDefinition/other'), 404, 'not-found');
  });
});
