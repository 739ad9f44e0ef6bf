/**
 * A real FHIR client (fhir-kit-client 1.9, the CommonJS line) against the service listening on
 * an ephemeral port of 127.0.0.1: the operation, the CapabilityStatement and the
 * OperationDefinition as a third-party client sees them.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import Client from 'fhir-kit-client';
import type { CapabilityStatement, OperationOutcome, Parameters } from 'fhir/r4';
import { createApp } from '../../src/http/create-app';
import { Readiness } from '../../src/http/readiness';
import { committedCatalog, fixture, groupOf, twoYearOld } from '../fhir/builders';

const catalog = committedCatalog();
let server: Server;
let client: Client;

beforeAll(async () => {
  const app = createApp({ readiness: new Readiness(), catalog });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => {
      resolve(s);
    });
  });
  const { port } = server.address() as AddressInfo;
  client = new Client({ baseUrl: `http://127.0.0.1:${port}/fhir` });
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => {
    server.close((err) => {
      if (err === undefined) {
        resolve();
      } else {
        reject(err);
      }
    });
  });
});

describe('fhir-kit-client against the listening service', () => {
  test('calls $immds-forecast with the ImmDS example and gets Parameters back', async () => {
    const out = (await client.operation({
      name: 'immds-forecast',
      input: fixture('immds-parameters-in-example.json'),
    })) as Parameters;
    expect(out.resourceType).toBe('Parameters');
    expect(groupOf(out, 'HepB').doseNumberPositiveInt).toBe(2);
  });

  test("forecasts a two-year-old's history", async () => {
    const out = (await client.operation({
      name: '$immds-forecast',
      input: twoYearOld(),
    })) as Parameters;
    expect(groupOf(out, 'DTaP/Tdap/Td').forecastStatus.text).toBe('Not Complete');
    expect(groupOf(out, 'HepB').forecastStatus.text).toBe('Complete');
  });

  test('sees a bad request as an error with status 400 and the OperationOutcome', async () => {
    const failure: unknown = await client
      .operation({ name: 'immds-forecast', input: { resourceType: 'Parameters', parameter: [] } })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const { response } = failure as { response: { status: number; data: OperationOutcome } };
    expect(response.status).toBe(400);
    expect(response.data.resourceType).toBe('OperationOutcome');
    expect(response.data.issue.map((i) => i.code)).toEqual(['required', 'required']);
  });

  test('reads the CapabilityStatement and finds the operation', async () => {
    const cs = (await client.capabilityStatement()) as CapabilityStatement;
    expect(cs.rest?.[0]?.operation?.map((o) => o.name)).toEqual(['immds-forecast']);
  });

  test('reads the OperationDefinition', async () => {
    const od = await client.read({ resourceType: 'OperationDefinition', id: 'immds-forecast' });
    expect(od).toMatchObject({ resourceType: 'OperationDefinition', code: 'immds-forecast' });
  });
});
