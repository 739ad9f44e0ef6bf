import type {
  AllergyIntolerance,
  Condition,
  Immunization,
  Observation,
  OperationOutcomeIssue,
  Parameters,
  ParametersParameter,
} from 'fhir/r4';
import { CalendarDate } from '../../src/calendar';
import { SYSTEM } from '../../src/fhir/codes';
import { readForecastRequest, type ForecastRequest } from '../../src/fhir/to-engine';
import type { CodeTables } from '../../src/rules/codes/types';
import { chooseCvx, readVaccineCode } from '../../src/fhir/vaccine-codes';
import {
  committedCatalog,
  cpt,
  cvx,
  fixture,
  imm,
  immunization,
  ndc,
  patient,
  request,
} from './builders';

const catalog = committedCatalog();
const ruleSet = catalog.get(catalog.defaultVersion)!;
const withoutCodeTables = {
  ...catalog,
  codes: undefined,
  get: (version: string) => catalog.get(version),
};

function ok(body: unknown, cat = catalog): ForecastRequest {
  const r = readForecastRequest(body, cat);
  if (!r.ok) {
    throw new Error(`unexpected errors: ${JSON.stringify(r.issues)}`);
  }
  return r.request;
}

function errors(body: unknown): readonly OperationOutcomeIssue[] {
  const r = readForecastRequest(body, catalog);
  if (r.ok) {
    throw new Error('expected the request to be rejected');
  }
  return r.issues;
}

/** An `observation` parameter holding a resource. */
const asObservation = (
  resource: Condition | Observation | AllergyIntolerance | Immunization,
): ParametersParameter => ({ name: 'observation', resource });

const baseline = () => request('2026-03-20', patient());
const oneDose = (...rest: ParametersParameter[]) =>
  request('2026-03-20', patient(), imm(immunization('d1', '2024-05-17', cvx('20'))), ...rest);

describe('reading the patient and the assessment date', () => {
  test('reads the assessment date, birth date and gender, and keeps the patient id', () => {
    const r = ok(baseline());
    expect(r.assessmentDate).toEqual(CalendarDate.parse('2026-03-20'));
    expect(r.history).toEqual({
      birthDate: CalendarDate.parse('2024-03-15'),
      gender: 'female',
      doses: [],
      observations: [],
    });
    expect(r.patientReference).toBe('Patient/p1');
    expect(r.ruleSet.id).toBe('cdc-cdsi@4.64');
    expect(r.notes).toEqual([]);
  });

  test.each([
    ['male', 'male'],
    ['female', 'female'],
    ['other', 'unknown'],
    ['unknown', 'unknown'],
    [undefined, 'unknown'],
  ] as const)('reads gender %s as the CDSi gender %s', (gender, expected) => {
    const p = patient(gender === undefined ? {} : { gender });
    if (gender === undefined) {
      delete p.gender;
    }
    expect(ok(request('2026-03-20', p)).history.gender).toBe(expected);
  });

  test('reads the country of the patient-birthPlace extension as the country of birth', () => {
    const p = patient({
      extension: [
        {
          url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace',
          valueAddress: { country: 'MX' },
        },
      ],
    });
    expect(ok(request('2026-03-20', p)).history.birthCountry).toBe('MX');
  });

  test('accepts a patient whose identifier and name are masked with data-absent-reason (ImmDS 2019 example)', () => {
    const body = fixture('immds-2019-parameters-in-masked-patient.json') as Parameters;
    const r = ok(body);
    expect(r.patientReference).toBe('Patient/forecast-example');
    expect(r.history.birthDate).toEqual(CalendarDate.parse('2019-04-28'));
  });

  test('gives a patient without id the id "patient" and says so', () => {
    const p = patient();
    delete p.id;
    const r = ok(request('2026-03-20', p));
    expect(r.patientReference).toBe('Patient/patient');
    expect(r.notes).toEqual([
      {
        severity: 'information',
        code: 'informational',
        diagnostics: 'The Patient has no id; the output refers to it as Patient/patient',
        expression: ['Parameters.parameter[1].resource.id'],
      },
    ]);
  });

  test('uses the rule-set version named by knowledgeBaseVersion, as a version or a label', () => {
    for (const valueString of ['4.64', 'cdc-cdsi@4.64']) {
      const r = ok(request('2026-03-20', patient(), { name: 'knowledgeBaseVersion', valueString }));
      expect(r.ruleSet.id).toBe('cdc-cdsi@4.64');
    }
  });
});

describe('reading immunizations', () => {
  test('reads a CVX dose with its date, keeps the input id, and points back at the input', () => {
    const r = ok(oneDose());
    expect(r.history.doses).toEqual([
      { id: 'd1', dateAdministered: CalendarDate.parse('2024-05-17'), cvx: '20' },
    ]);
    expect(r.doseExpressions.get('d1')).toBe('Parameters.parameter[2].resource');
  });

  test('uses the date part of occurrenceDateTime as written, whatever its time zone', () => {
    const i = immunization('d1', '2024-05-17T23:30:00-10:00', cvx('20'));
    expect(ok(request('2026-03-20', patient(), imm(i))).history.doses[0]!.dateAdministered).toEqual(
      CalendarDate.parse('2024-05-17'),
    );
  });

  test('reads the MVX of manufacturer.identifier and ignores identifiers of other systems', () => {
    const mvx = immunization('d1', '2024-05-17', cvx('20'), {
      manufacturer: { identifier: { system: SYSTEM.mvx, value: 'SKB' } },
    });
    const other = immunization('d2', '2024-07-19', cvx('20'), {
      manufacturer: { identifier: { system: 'urn:example:makers', value: 'SKB' } },
    });
    const doses = ok(request('2026-03-20', patient(), imm(mvx), imm(other))).history.doses;
    expect(doses.map((d) => d.mvx)).toEqual(['SKB', undefined]);
  });

  test('turns isSubpotent into the CDSi dose condition', () => {
    const i = immunization('d1', '2024-05-17', cvx('20'), { isSubpotent: true });
    expect(ok(request('2026-03-20', patient(), imm(i))).history.doses[0]!.doseCondition).toBe(true);
  });

  test('gives an immunization without id a unique id and says where it came from', () => {
    const taken = immunization('immunization-3', '2024-05-17', cvx('20'));
    const anonymous = immunization(undefined, '2024-07-19', cvx('20'));
    const r = ok(request('2026-03-20', patient(), imm(taken), imm(anonymous)));
    expect(r.history.doses.map((d) => d.id)).toEqual(['immunization-3', 'immunization-3-x']);
    expect(r.notes).toEqual([
      expect.objectContaining({
        severity: 'information',
        diagnostics:
          'The Immunization has no id; the output refers to it as Immunization/immunization-3-x',
        expression: ['Parameters.parameter[3].resource.id'],
      }),
    ]);
  });

  test.each([['entered-in-error'], ['not-done']] as const)(
    'ignores an immunization with status %s and says so',
    (status) => {
      const r = ok(oneDose(imm(immunization('d2', '2024-07-19', cvx('20'), { status }))));
      expect(r.history.doses.map((d) => d.id)).toEqual(['d1']);
      expect(r.notes).toEqual([
        {
          severity: 'warning',
          code: 'business-rule',
          diagnostics: `Immunization with status ${status} is not a dose given; it was not evaluated`,
          expression: ['Parameters.parameter[3].resource.status'],
        },
      ]);
    },
  );

  test('ignores an immunization dated only by occurrenceString, with a warning', () => {
    const i = immunization('d2', '2024-07-19', cvx('20'));
    delete i.occurrenceDateTime;
    i.occurrenceString = 'sometime in 2024';
    const r = ok(oneDose(imm(i)));
    expect(r.history.doses.map((d) => d.id)).toEqual(['d1']);
    expect(r.notes).toEqual([
      expect.objectContaining({
        severity: 'warning',
        expression: ['Parameters.parameter[3].resource.occurrence'],
      }),
    ]);
  });
});

describe('vaccine codes', () => {
  const read = (concept: unknown, codes: CodeTables | undefined = catalog.codes) =>
    readVaccineCode(concept, 'vaccineCode', codes, ruleSet);
  const readWithoutTables = (concept: unknown) =>
    readVaccineCode(concept, 'vaccineCode', undefined, ruleSet);

  test.each([
    ['CVX with its leading zero', cvx('08'), '08'],
    ['NDC, 11 digits hyphenated (5-4-2)', ndc('58160-0810-52'), '20'],
    ['NDC, 11 digits without hyphens', ndc('00006468100'), '03'],
    ['NDC, 10 digits 4-4-2', ndc('0006-4681-00'), '03'],
    ['NDC, 10 digits 5-3-2', ndc('13533-131-00'), '09'],
    ['NDC, 10 digits 5-4-1', ndc('50090-1502-0'), '52'],
    ['NDC, 10 digits without hyphens (each reading is looked up)', ndc('5009015020'), '52'],
    ['CPT with one CVX', cpt('90707'), '03'],
  ])('reads %s', (_what, concept, expected) => {
    expect(read(concept)).toMatchObject({ ok: true, cvx: expected });
  });

  test('prefers the CVX coding over NDC and CPT codings of the same dose', () => {
    const concept = {
      coding: [
        { system: SYSTEM.cpt, code: '90707' },
        { system: SYSTEM.ndc, code: '58160-0810-52' },
        { system: SYSTEM.cvx, code: '20' },
      ],
    };
    expect(read(concept)).toEqual({ ok: true, cvx: '20', expression: 'vaccineCode.coding[2]' });
  });

  test('skips malformed and empty CVX codings, counts them in the coding index, and trims the code', () => {
    const concept = {
      coding: [
        'not a coding',
        { system: SYSTEM.cvx },
        { system: SYSTEM.cvx, code: 20 },
        { system: SYSTEM.cvx, code: '  ' },
        { system: SYSTEM.cpt, code: '90707' },
        { system: SYSTEM.cvx, code: ' 08 ' },
        { system: SYSTEM.cvx, code: '20' },
      ],
    };
    expect(read(concept)).toEqual({ ok: true, cvx: '08', expression: 'vaccineCode.coding[5]' });
    // Without a usable CVX coding, the CPT coding is used, at its own index.
    expect(read({ coding: concept.coding.slice(0, 5) })).toMatchObject({
      ok: true,
      cvx: '03',
      expression: 'vaccineCode.coding[4]',
    });
  });

  test('uses the first CVX of a CPT code that CDC maps to two CVX codes of the same antigens, with a note', () => {
    expect(read(cpt('90700'))).toEqual({
      ok: true,
      cvx: '20',
      expression: 'vaccineCode.coding[0]',
      note: 'CPT 90700 maps to CVX 20 and 106; evaluated as CVX 20 (send the CVX code for an exact evaluation)',
    });
  });

  test('does the same for an NDC that CDC maps to two CVX codes', () => {
    expect(read(ndc('58160-0821-52'))).toMatchObject({
      ok: true,
      cvx: '43',
      note: expect.any(String) as unknown,
    });
  });

  test('among two candidate CVX codes, keeps the one the rule set knows', () => {
    expect(chooseCvx(['20', '99999'], ruleSet, 'CPT X')).toEqual({
      cvx: '20',
      note: 'CPT X maps to CVX 20 and 99999; evaluated as CVX 20, the only one the rule set knows',
    });
  });

  test('refuses candidate CVX codes that count for different antigens', () => {
    expect(chooseCvx(['20', '03'], ruleSet, 'CPT X')).toEqual({
      problem: 'CPT X maps to CVX 20 and 03, which count for different antigens; send the CVX code',
    });
  });

  test.each([
    [
      'an NDC not in the CDC tables',
      ndc('99999-9999-99'),
      'NDC 99999-9999-99 is not in the CDC NDC tables',
    ],
    ['a malformed NDC', ndc('12-34'), 'NDC 12-34 is not an NDC in a 10- or 11-digit form'],
    ['a CPT code CDC does not map', cpt('99213'), 'CPT 99213 is not in the CDC CPT to CVX map'],
    [
      'a coding of another system only',
      { coding: [{ system: 'http://example.org/cdc/cvx/vaccine-code', code: '08' }] },
      'vaccineCode has no CVX, NDC or CPT coding',
    ],
  ])('cannot use %s', (_what, concept, problem) => {
    expect(read(concept)).toMatchObject({ ok: false, problem });
  });

  test('cannot map NDC or CPT codes without the CDC code tables, but still reads CVX', () => {
    expect(readWithoutTables(ndc('58160-0810-52'))).toMatchObject({
      ok: false,
      problem: 'NDC 58160-0810-52 cannot be mapped: no CDC code tables are installed',
    });
    expect(readWithoutTables(cpt('90707'))).toMatchObject({ ok: false });
    expect(readWithoutTables(cvx('20'))).toMatchObject({ ok: true, cvx: '20' });
  });

  test('leaves out a dose whose code it cannot map, and names it in a warning with the coding', () => {
    const r = ok(oneDose(imm(immunization('d2', '2024-07-19', cpt('99213')))));
    expect(r.history.doses.map((d) => d.id)).toEqual(['d1']);
    expect(r.notes).toEqual([
      {
        severity: 'warning',
        code: 'not-supported',
        diagnostics: 'CPT 99213 is not in the CDC CPT to CVX map; the dose was not evaluated',
        expression: ['Parameters.parameter[3].resource.vaccineCode.coding[0]'],
      },
    ]);
  });

  test('a catalog without code tables still answers CVX requests', () => {
    expect(ok(oneDose(), withoutCodeTables).history.doses).toHaveLength(1);
  });
});

describe('observations', () => {
  const observe = (...params: ParametersParameter[]) =>
    ok(request('2026-03-20', patient(), ...params));
  const codesOf = (r: ForecastRequest) => r.history.observations.map((o) => o.code);
  const coding = (system: string, code: string): ParametersParameter => ({
    name: 'observation',
    valueCoding: { system, code },
  });

  test.each([
    ['a CDSi observation code', SYSTEM.cdsiObservation, '055', ['055']],
    ['a CDSi observation code without its leading zero', SYSTEM.cdsiObservation, '55', ['055']],
    ['a SNOMED CT code', SYSTEM.snomed, '370388006', ['003']],
    [
      'a SNOMED CT code the supporting data lists for two observations',
      SYSTEM.snomed,
      '31323000',
      ['013', '147'],
    ],
    ['a CDC PHIN VS code', SYSTEM.cdcPhinVs, 'VXC27', ['003']],
    [
      'a CVX code (the vaccine of a severe allergic reaction)',
      SYSTEM.cvx,
      '110',
      ['081', '086', '087', '088', '097'],
    ],
  ])('maps %s as a valueCoding', (_what, system, code, expected) => {
    expect(codesOf(observe(coding(system, code)))).toEqual(expected);
  });

  test('maps a valueCodeableConcept', () => {
    const r = observe({
      name: 'observation',
      valueCodeableConcept: { coding: [{ system: SYSTEM.snomed, code: '77176002' }] },
    });
    expect(codesOf(r)).toEqual(['042']);
  });

  test('reads a Condition with its onset as the observation date', () => {
    const r = observe(
      asObservation({
        resourceType: 'Condition',
        clinicalStatus: {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' },
          ],
        },
        code: { coding: [{ system: SYSTEM.snomed, code: '709044004' }] },
        subject: { reference: 'Patient/p1' },
        onsetDateTime: '2025-01-10T08:00:00+01:00',
      }),
    );
    expect(r.history.observations).toEqual([
      { code: '161', date: CalendarDate.parse('2025-01-10') },
    ]);
  });

  test('reads an Observation by its valueCodeableConcept and effectiveDateTime', () => {
    const r = observe(
      asObservation({
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '11450-4' }] },
        valueCodeableConcept: { coding: [{ system: SYSTEM.snomed, code: '77386006' }] },
        effectiveDateTime: '2025-11-02',
      }),
    );
    expect(r.history.observations).toEqual([
      { code: '007', date: CalendarDate.parse('2025-11-02') },
    ]);
  });

  test('narrows an AllergyIntolerance coded VXC20 to the allergy observations of its vaccine', () => {
    const r = observe(
      asObservation({
        resourceType: 'AllergyIntolerance',
        code: { coding: [{ system: SYSTEM.cdcPhinVs, code: 'VXC20' }] },
        patient: { reference: 'Patient/p1' },
        reaction: [
          {
            substance: { coding: [{ system: SYSTEM.cvx, code: '03' }] },
            manifestation: [{ text: 'anaphylaxis' }],
          },
        ],
      }),
    );
    expect(codesOf(r)).toEqual(['091', '092', '093']);
  });

  test('reads an Immunization not given for a reason (history of varicella) by its statusReason', () => {
    const r = observe({
      name: 'observation',
      resource: immunization('nd1', '2025-03-21', cvx('21'), {
        status: 'not-done',
        statusReason: { coding: [{ system: SYSTEM.snomed, code: '38907003' }] },
      }),
    });
    expect(r.history.observations).toEqual([
      { code: '024', date: CalendarDate.parse('2025-03-21') },
    ]);
  });

  test('says which CDSi observations a SNOMED CT code was read as', () => {
    expect(observe(coding(SYSTEM.snomed, '370388006')).notes).toEqual([
      {
        severity: 'information',
        code: 'informational',
        diagnostics: 'Read as CDSi observation 003',
        expression: ['Parameters.parameter[2].value'],
      },
    ]);
  });

  test.each([
    [
      'codes no CDSi observation has',
      coding(SYSTEM.snomed, '22298006'),
      'Parameters.parameter[2].value',
    ],
    [
      'an unknown CDSi observation code',
      coding(SYSTEM.cdsiObservation, '999'),
      'Parameters.parameter[2].value',
    ],
    [
      'a resolved Condition',
      asObservation({
        resourceType: 'Condition',
        clinicalStatus: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
              code: 'resolved',
            },
          ],
        },
        code: { coding: [{ system: SYSTEM.snomed, code: '77386006' }] },
        subject: { reference: 'Patient/p1' },
      }),
      'Parameters.parameter[2].resource',
    ],
    [
      'a refuted AllergyIntolerance',
      asObservation({
        resourceType: 'AllergyIntolerance',
        verificationStatus: {
          coding: [
            {
              system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
              code: 'refuted',
            },
          ],
        },
        code: { coding: [{ system: SYSTEM.cvx, code: '110' }] },
        patient: { reference: 'Patient/p1' },
      }),
      'Parameters.parameter[2].resource',
    ],
    [
      'an Immunization not given without a reason CDSi knows',
      {
        name: 'observation',
        resource: immunization('nd1', '2025-03-21', cvx('21'), {
          status: 'not-done',
          statusReason: {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'PATOBJ' },
            ],
          },
        }),
      },
      'Parameters.parameter[2].resource',
    ],
  ] as [string, ParametersParameter, string][])(
    'does not use %s, and says so',
    (_what, param, where) => {
      const r = observe(param);
      expect(r.history.observations).toEqual([]);
      expect(r.notes).toEqual([
        expect.objectContaining({ severity: 'warning', expression: [where] }),
      ]);
    },
  );
});

describe('rejecting bad requests', () => {
  type Case = [string, unknown, Partial<OperationOutcomeIssue>[]];
  const withParams = (...parameter: unknown[]) => ({ resourceType: 'Parameters', parameter });
  const assessment = { name: 'assessmentDate', valueDate: '2026-03-20' };
  const pat = (p: unknown) => ({ name: 'patient', resource: p });
  const immParam = (i: unknown) => ({ name: 'immunization', resource: i });
  // Through JSON, as on the wire: an override `undefined` removes the element.
  const dose = (overrides: Record<string, unknown>): unknown =>
    JSON.parse(JSON.stringify({ ...immunization('d1', '2024-05-17', cvx('20')), ...overrides }));

  const cases: Case[] = [
    ['a body that is not a JSON object', [1, 2], [{ code: 'structure' }]],
    [
      'a resource that is not Parameters',
      patient(),
      [{ code: 'structure', expression: ['resourceType'] }],
    ],
    [
      'parameter that is not an array',
      { resourceType: 'Parameters', parameter: {} },
      [
        { code: 'structure', expression: ['Parameters.parameter'] },
        { code: 'required', expression: ['Parameters.parameter'] },
        { code: 'required', expression: ['Parameters.parameter'] },
      ],
    ],
    [
      'no assessmentDate',
      withParams(pat(patient())),
      [
        {
          code: 'required',
          diagnostics: 'Parameter "assessmentDate" is required',
          expression: ['Parameters.parameter'],
        },
      ],
    ],
    [
      'two assessmentDates',
      withParams(assessment, pat(patient()), assessment),
      [{ code: 'structure', expression: ['Parameters.parameter[2]'] }],
    ],
    [
      'assessmentDate as a valueString',
      withParams({ name: 'assessmentDate', valueString: '2026-03-20' }, pat(patient())),
      [
        {
          code: 'structure',
          diagnostics: 'assessmentDate must be a valueDate',
          expression: ['Parameters.parameter[0]'],
        },
      ],
    ],
    [
      'a partial assessmentDate',
      withParams({ name: 'assessmentDate', valueDate: '2026-03' }, pat(patient())),
      [{ code: 'value', expression: ['Parameters.parameter[0].value'] }],
    ],
    [
      'a malformed assessmentDate',
      withParams({ name: 'assessmentDate', valueDate: '20-03-2026' }, pat(patient())),
      [{ code: 'value', expression: ['Parameters.parameter[0].value'] }],
    ],
    [
      'no patient',
      withParams(assessment),
      [
        {
          code: 'required',
          diagnostics: 'Parameter "patient" is required',
          expression: ['Parameters.parameter'],
        },
      ],
    ],
    [
      'two patients',
      withParams(assessment, pat(patient()), pat(patient())),
      [{ code: 'structure', expression: ['Parameters.parameter[2]'] }],
    ],
    [
      'a patient that is not a Patient',
      withParams(assessment, pat({ resourceType: 'Person' })),
      [{ code: 'structure', expression: ['Parameters.parameter[1].resource'] }],
    ],
    [
      'a patient without birthDate',
      withParams(assessment, pat({ resourceType: 'Patient', id: 'p1' })),
      [{ code: 'required', expression: ['Parameters.parameter[1].resource.birthDate'] }],
    ],
    [
      'a partial birthDate',
      withParams(assessment, pat(patient({ birthDate: '2024' }))),
      [{ code: 'value', expression: ['Parameters.parameter[1].resource.birthDate'] }],
    ],
    [
      'a birthDate after the assessmentDate',
      withParams(assessment, pat(patient({ birthDate: '2026-04-01' }))),
      [{ code: 'business-rule', expression: ['Parameters.parameter[1].resource.birthDate'] }],
    ],
    [
      'a gender outside the FHIR codes',
      withParams(assessment, pat({ ...patient(), gender: 'F' })),
      [{ code: 'value', expression: ['Parameters.parameter[1].resource.gender'] }],
    ],
    [
      'a malformed patient id',
      withParams(assessment, pat({ ...patient(), id: 'has spaces' })),
      [{ code: 'value', expression: ['Parameters.parameter[1].resource.id'] }],
    ],
    [
      'an unknown parameter name (a typo must not drop the history)',
      withParams(assessment, pat(patient()), { name: 'immunizations', resource: dose({}) }),
      [{ code: 'not-supported', expression: ['Parameters.parameter[2].name'] }],
    ],
    [
      'a parameter without name',
      withParams(assessment, pat(patient()), { valueString: 'x' }),
      [{ code: 'required', expression: ['Parameters.parameter[2].name'] }],
    ],
    [
      'a parameter with both a value and a resource (inv-1)',
      withParams(assessment, { name: 'patient', resource: patient(), valueString: 'x' }),
      [
        { code: 'invariant', expression: ['Parameters.parameter[1]'] },
        { code: 'required', expression: ['Parameters.parameter'] },
      ],
    ],
    [
      'an immunization that is not an Immunization',
      withParams(
        assessment,
        pat(patient()),
        immParam({ resourceType: 'MedicationAdministration' }),
      ),
      [{ code: 'structure', expression: ['Parameters.parameter[2].resource'] }],
    ],
    [
      'an immunization without status',
      withParams(assessment, pat(patient()), immParam(dose({ status: undefined }))),
      [{ code: 'required', expression: ['Parameters.parameter[2].resource.status'] }],
    ],
    [
      'an immunization with an unknown status',
      withParams(assessment, pat(patient()), immParam(dose({ status: 'done' }))),
      [{ code: 'value', expression: ['Parameters.parameter[2].resource.status'] }],
    ],
    [
      'an immunization without date',
      withParams(assessment, pat(patient()), immParam(dose({ occurrenceDateTime: undefined }))),
      [{ code: 'required', expression: ['Parameters.parameter[2].resource.occurrence'] }],
    ],
    [
      'an immunization dated by month only',
      withParams(assessment, pat(patient()), immParam(dose({ occurrenceDateTime: '2024-05' }))),
      [
        {
          code: 'value',
          diagnostics:
            'Immunization.occurrenceDateTime must be a full date (YYYY-MM-DD); a month alone is not enough for CDSi',
          expression: ['Parameters.parameter[2].resource.occurrence'],
        },
      ],
    ],
    [
      'an immunization dated by year only',
      withParams(assessment, pat(patient()), immParam(dose({ occurrenceDateTime: '2024' }))),
      [{ code: 'value', expression: ['Parameters.parameter[2].resource.occurrence'] }],
    ],
    [
      'a malformed immunization date',
      withParams(assessment, pat(patient()), immParam(dose({ occurrenceDateTime: '2024-02-30' }))),
      [{ code: 'value', expression: ['Parameters.parameter[2].resource.occurrence'] }],
    ],
    [
      'a dose before birth',
      withParams(assessment, pat(patient()), immParam(dose({ occurrenceDateTime: '2024-03-14' }))),
      [{ code: 'business-rule', expression: ['Parameters.parameter[2].resource.occurrence'] }],
    ],
    [
      'a dose after the assessment date',
      withParams(assessment, pat(patient()), immParam(dose({ occurrenceDateTime: '2026-03-21' }))),
      [{ code: 'business-rule', expression: ['Parameters.parameter[2].resource.occurrence'] }],
    ],
    [
      'two immunizations with the same id',
      withParams(assessment, pat(patient()), immParam(dose({})), immParam(dose({}))),
      [{ code: 'business-rule', expression: ['Parameters.parameter[3].resource.id'] }],
    ],
    [
      'an isSubpotent that is not a boolean',
      withParams(assessment, pat(patient()), immParam(dose({ isSubpotent: 'yes' }))),
      [{ code: 'value', expression: ['Parameters.parameter[2].resource.isSubpotent'] }],
    ],
    [
      'an immunization without vaccineCode',
      withParams(assessment, pat(patient()), immParam(dose({ vaccineCode: undefined }))),
      [{ code: 'required', expression: ['Parameters.parameter[2].resource.vaccineCode'] }],
    ],
    [
      'an unknown knowledgeBaseVersion',
      withParams(assessment, pat(patient()), { name: 'knowledgeBaseVersion', valueString: '3.0' }),
      [
        {
          code: 'not-supported',
          diagnostics: 'Unknown knowledgeBaseVersion "3.0"; available: cdc-cdsi@4.64',
          expression: ['Parameters.parameter[2].value'],
        },
      ],
    ],
    [
      'a knowledgeBaseVersion that is not a string',
      withParams(assessment, pat(patient()), { name: 'knowledgeBaseVersion', valueInteger: 4 }),
      [{ code: 'structure', expression: ['Parameters.parameter[2]'] }],
    ],
    [
      'an observation resource of another type',
      withParams(assessment, pat(patient()), {
        name: 'observation',
        resource: { resourceType: 'Procedure' },
      }),
      [{ code: 'not-supported', expression: ['Parameters.parameter[2].resource.resourceType'] }],
    ],
    [
      'an observation given as a valueString',
      withParams(assessment, pat(patient()), { name: 'observation', valueString: 'asthma' }),
      [{ code: 'structure', expression: ['Parameters.parameter[2]'] }],
    ],
    [
      'a completed Immunization given as observation',
      withParams(assessment, pat(patient()), { name: 'observation', resource: dose({}) }),
      [{ code: 'business-rule', expression: ['Parameters.parameter[2].resource.status'] }],
    ],
    [
      'an observation with a partial date',
      withParams(
        assessment,
        pat(patient()),
        asObservation({
          resourceType: 'Condition',
          code: { coding: [{ system: SYSTEM.snomed, code: '77386006' }] },
          subject: { reference: 'Patient/p1' },
          onsetDateTime: '2025',
        }),
      ),
      [{ code: 'value', expression: ['Parameters.parameter[2].resource.onset'] }],
    ],
  ];

  test.each(cases)('rejects %s, naming the element at fault', (_what, body, expected) => {
    const issues = errors(body);
    expect(issues).toEqual(
      expected.map((e) => expect.objectContaining({ severity: 'error', ...e }) as unknown),
    );
    for (const issue of issues) {
      expect(issue.diagnostics).toEqual(expect.any(String));
    }
  });

  test('reports every problem of a request at once', () => {
    const body = withParams(
      { name: 'assessmentDate', valueDate: '2026' },
      pat(patient({ birthDate: '2024-13-01' })),
      immParam(dose({ occurrenceDateTime: '2024-05' })),
    );
    expect(errors(body).map((i) => i.expression?.[0])).toEqual([
      'Parameters.parameter[0].value',
      'Parameters.parameter[1].resource.birthDate',
      'Parameters.parameter[2].resource.occurrence',
    ]);
  });

  test('never echoes dates of the patient in its messages', () => {
    const body = withParams(
      assessment,
      pat(patient()),
      immParam(dose({ occurrenceDateTime: '2024-03-14' })),
    );
    expect(JSON.stringify(errors(body))).not.toMatch(/2024-03-1[45]/);
  });
});

describe('a server without its default rule set', () => {
  test('answers with a fatal exception (a server fault), never an empty OperationOutcome', () => {
    const empty = { ...catalog, get: () => undefined };
    const r = readForecastRequest(request('2026-03-20', patient()), empty);
    expect(r).toEqual({
      ok: false,
      issues: [{ severity: 'fatal', code: 'exception', diagnostics: 'No rule set is loaded' }],
    });
  });
});
