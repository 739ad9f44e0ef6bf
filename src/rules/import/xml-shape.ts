/**
 * The element trees of the CDC supporting-data XML, as this importer knows them.
 *
 * This is the importer's side of the contract fixed by `../raw-types.ts`: the converter walks
 * the XML against these trees and refuses anything they do not describe (unknown element,
 * wrong order, a repeated single element, a missing required element, attributes, mixed text).
 * The importer also derives the same trees from the XSDs shipped with the source and refuses
 * to run if the two differ, so a new CDC release with structural changes cannot slip through.
 *
 * @see ../../../../shared/cdsi/supporting-data/AntigenSupportingData.xsd
 * @see ../../../../shared/cdsi/supporting-data/ScheduleSupportingData.xsd
 */

/** One element of an `xs:sequence`. */
export interface ElementSpec {
  readonly name: string;
  /** `minOccurs`: 0 = optional, 1 = required. */
  readonly min: 0 | 1;
  /** `maxOccurs="unbounded"`: the JSON property is always an array. */
  readonly many: boolean;
  /** `"text"` for a leaf (`xs:string`), else the child sequence. */
  readonly content: 'text' | readonly ElementSpec[];
}

interface Occurs {
  readonly min?: 0 | 1;
  readonly many?: boolean;
}

function leaf(name: string, occurs: Occurs = {}): ElementSpec {
  return { name, min: occurs.min ?? 1, many: occurs.many ?? false, content: 'text' };
}

function el(name: string, children: readonly ElementSpec[], occurs: Occurs = {}): ElementSpec {
  return { name, min: occurs.min ?? 1, many: occurs.many ?? false, content: children };
}

const OPT = { min: 0 } as const;
const OPT_MANY = { min: 0, many: true } as const;
const REQ_MANY = { min: 1, many: true } as const;

const observationRef = (name: string): ElementSpec =>
  el(name, [leaf('text', OPT), leaf('code', OPT)], OPT);

/** Root element of `AntigenSupportingData- <Antigen>-508.xml`. */
export const ANTIGEN_SHAPE: ElementSpec = el('antigenSupportingData', [
  el(
    'immunity',
    [
      el('clinicalHistory', [leaf('guidelineCode'), leaf('guidelineTitle')], OPT_MANY),
      el(
        'dateOfBirth',
        [
          leaf('immunityBirthDate'),
          leaf('birthCountry'),
          el('exclusion', [leaf('exclusionCode'), leaf('exclusionTitle')], OPT_MANY),
        ],
        OPT_MANY,
      ),
    ],
    OPT,
  ),
  el('contraindications', [
    el(
      'vaccineGroup',
      [
        el(
          'contraindication',
          [
            leaf('observationCode'),
            leaf('observationTitle'),
            leaf('contraindicationText'),
            leaf('contraindicationGuidance'),
            leaf('beginAge'),
            leaf('endAge'),
          ],
          OPT_MANY,
        ),
      ],
      OPT,
    ),
    el(
      'vaccine',
      [
        el(
          'contraindication',
          [
            leaf('observationCode'),
            leaf('observationTitle'),
            leaf('contraindicationText'),
            leaf('contraindicationGuidance'),
            el(
              'contraindicatedVaccine',
              [leaf('vaccineType'), leaf('cvx'), leaf('beginAge'), leaf('endAge')],
              OPT_MANY,
            ),
          ],
          OPT_MANY,
        ),
      ],
      OPT,
    ),
  ]),
  el(
    'series',
    [
      leaf('seriesName'),
      leaf('targetDisease'),
      leaf('vaccineGroup'),
      leaf('seriesAdminGuidance', REQ_MANY),
      leaf('seriesType'),
      leaf('equivalentSeriesGroups'),
      leaf('requiredGender', REQ_MANY),
      el('selectSeries', [
        leaf('defaultSeries'),
        leaf('productPath'),
        leaf('seriesGroupName'),
        leaf('seriesGroup'),
        leaf('seriesPriority'),
        leaf('seriesPreference'),
        leaf('minAgeToStart'),
        leaf('maxAgeToStart'),
      ]),
      el(
        'indication',
        [
          observationRef('observationCode'),
          leaf('description', OPT),
          leaf('beginAge', OPT),
          leaf('endAge', OPT),
          leaf('guidance', OPT),
        ],
        REQ_MANY,
      ),
      el(
        'seriesDose',
        [
          leaf('doseNumber'),
          el(
            'age',
            [
              leaf('absMinAge', OPT),
              leaf('minAge', OPT),
              leaf('earliestRecAge', OPT),
              leaf('latestRecAge', OPT),
              leaf('maxAge', OPT),
              leaf('effectiveDate', OPT),
              leaf('cessationDate', OPT),
            ],
            OPT_MANY,
          ),
          el(
            'interval',
            [
              leaf('fromPrevious', OPT),
              leaf('fromTargetDose', OPT),
              leaf('fromMostRecent', OPT),
              observationRef('fromRelevantObs'),
              leaf('absMinInt', OPT),
              leaf('minInt', OPT),
              leaf('earliestRecInt', OPT),
              leaf('latestRecInt', OPT),
              leaf('intervalPriority', OPT),
              leaf('effectiveDate', OPT),
              leaf('cessationDate', OPT),
            ],
            OPT_MANY,
          ),
          el(
            'allowableInterval',
            [
              leaf('fromPrevious', OPT),
              leaf('fromTargetDose', OPT),
              leaf('absMinInt', OPT),
              leaf('effectiveDate', OPT),
              leaf('cessationDate', OPT),
            ],
            OPT_MANY,
          ),
          el(
            'preferableVaccine',
            [
              leaf('vaccineType', OPT),
              leaf('cvx', OPT),
              leaf('beginAge', OPT),
              leaf('endAge', OPT),
              leaf('tradeName', OPT),
              leaf('mvx', OPT),
              leaf('volume', OPT),
              leaf('forecastVaccineType', OPT),
            ],
            OPT_MANY,
          ),
          el(
            'allowableVaccine',
            [
              leaf('vaccineType', OPT),
              leaf('cvx', OPT),
              leaf('beginAge', OPT),
              leaf('endAge', OPT),
            ],
            OPT_MANY,
          ),
          el('inadvertentVaccine', [leaf('vaccineType', OPT), leaf('cvx', OPT)], OPT_MANY),
          el(
            'conditionalSkip',
            [
              leaf('context', OPT),
              leaf('setLogic', OPT),
              el(
                'set',
                [
                  leaf('setID', OPT),
                  leaf('setDescription', OPT),
                  leaf('effectiveDate', OPT),
                  leaf('cessationDate', OPT),
                  leaf('conditionLogic', OPT),
                  el(
                    'condition',
                    [
                      leaf('conditionID', OPT),
                      leaf('conditionType', OPT),
                      leaf('startDate', OPT),
                      leaf('endDate', OPT),
                      leaf('beginAge', OPT),
                      leaf('endAge', OPT),
                      leaf('interval', OPT),
                      leaf('doseCount', OPT),
                      leaf('doseType', OPT),
                      leaf('doseCountLogic', OPT),
                      leaf('vaccineTypes', OPT),
                      leaf('seriesGroups', OPT),
                    ],
                    OPT_MANY,
                  ),
                ],
                OPT_MANY,
              ),
            ],
            OPT_MANY,
          ),
          leaf('recurringDose'),
          el('seasonalRecommendation', [leaf('startDate', OPT), leaf('endDate', OPT)], OPT),
        ],
        REQ_MANY,
      ),
    ],
    REQ_MANY,
  ),
]);

const vaccineRef = (name: string): ElementSpec => el(name, [leaf('vaccineType'), leaf('cvx')]);

/** Root element of `ScheduleSupportingData.xml`. */
export const SCHEDULE_SHAPE: ElementSpec = el('scheduleSupportingData', [
  el('liveVirusConflicts', [
    el(
      'liveVirusConflict',
      [
        vaccineRef('previous'),
        vaccineRef('current'),
        leaf('conflictBeginInterval'),
        leaf('minConflictEndInterval'),
        leaf('conflictEndInterval'),
      ],
      OPT_MANY,
    ),
  ]),
  el('vaccineGroups', [
    el('vaccineGroup', [leaf('name'), leaf('administerFullVaccineGroup')], OPT_MANY),
  ]),
  el('vaccineGroupToAntigenMap', [
    el('vaccineGroupMap', [leaf('name'), leaf('antigen', OPT_MANY)], OPT_MANY),
  ]),
  el('cvxToAntigenMap', [
    el(
      'cvxMap',
      [
        leaf('cvx'),
        leaf('shortDescription'),
        el(
          'association',
          [leaf('antigen'), leaf('associationBeginAge', OPT), leaf('associationEndAge', OPT)],
          REQ_MANY,
        ),
      ],
      OPT_MANY,
    ),
  ]),
  el('observations', [
    el(
      'observation',
      [
        leaf('observationCode'),
        leaf('observationTitle'),
        leaf('group'),
        leaf('indicationText'),
        leaf('contraindicationText'),
        leaf('clarifyingText'),
        el(
          'codedValues',
          [el('codedValue', [leaf('code'), leaf('codeSystem'), leaf('text')], OPT_MANY)],
          REQ_MANY,
        ),
      ],
      OPT_MANY,
    ),
  ]),
]);
