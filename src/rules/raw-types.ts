/**
 * TypeScript shape of the generated rule tables in `rules/cdsi/<version>/`, as the importer
 * writes them from the CDC supporting-data XML.
 *
 * The JSON mirrors the XML one to one so that nothing is lost and a rule maintainer can put
 * the XML and the JSON side by side:
 * - every element becomes a property with the element's own name (no renaming);
 * - an element the XSD allows more than once (`maxOccurs="unbounded"`) is always an array,
 *   even with one item;
 * - a leaf element is a string, trimmed of surrounding white space; an empty element
 *   (`<beginAge/>`) is `""` — distinguishable from an element that is absent from the XML,
 *   which is an absent property;
 * - the XML has no attributes.
 *
 * These are the raw tables; `src/engine/rule-set.ts` holds the parsed form the engine uses.
 * @see ../../../shared/cdsi/supporting-data/AntigenSupportingData.xsd
 */

/** `rules/cdsi/<version>/antigens/<slug>.json` */
export interface RawAntigenFile {
  /** The antigen (target disease) this file describes, e.g. "Measles". */
  readonly antigen: string;
  /** The CDC XML file name it was generated from. */
  readonly sourceFile: string;
  readonly antigenSupportingData: RawAntigenSupportingData;
}

export interface RawAntigenSupportingData {
  readonly immunity?: RawImmunity;
  readonly contraindications: RawContraindications;
  readonly series: readonly RawSeries[];
}

export interface RawImmunity {
  readonly clinicalHistory?: readonly {
    readonly guidelineCode: string;
    readonly guidelineTitle: string;
  }[];
  readonly dateOfBirth?: readonly RawImmunityDateOfBirth[];
}

export interface RawImmunityDateOfBirth {
  readonly immunityBirthDate: string;
  readonly birthCountry: string;
  readonly exclusion?: readonly {
    readonly exclusionCode: string;
    readonly exclusionTitle: string;
  }[];
}

export interface RawContraindications {
  readonly vaccineGroup?: { readonly contraindication?: readonly RawGroupContraindication[] };
  readonly vaccine?: { readonly contraindication?: readonly RawVaccineContraindication[] };
}

export interface RawGroupContraindication {
  readonly observationCode: string;
  readonly observationTitle: string;
  readonly contraindicationText: string;
  readonly contraindicationGuidance: string;
  readonly beginAge: string;
  readonly endAge: string;
}

export interface RawVaccineContraindication {
  readonly observationCode: string;
  readonly observationTitle: string;
  readonly contraindicationText: string;
  readonly contraindicationGuidance: string;
  readonly contraindicatedVaccine?: readonly {
    readonly vaccineType: string;
    readonly cvx: string;
    readonly beginAge: string;
    readonly endAge: string;
  }[];
}

export interface RawSeries {
  readonly seriesName: string;
  readonly targetDisease: string;
  readonly vaccineGroup: string;
  readonly seriesAdminGuidance: readonly string[];
  /** "Standard" | "Risk" | "Evaluation Only" … */
  readonly seriesType: string;
  readonly equivalentSeriesGroups: string;
  readonly requiredGender: readonly string[];
  readonly selectSeries: RawSelectSeries;
  readonly indication: readonly RawIndication[];
  readonly seriesDose: readonly RawSeriesDose[];
}

export interface RawSelectSeries {
  readonly defaultSeries: string;
  readonly productPath: string;
  readonly seriesGroupName: string;
  readonly seriesGroup: string;
  readonly seriesPriority: string;
  readonly seriesPreference: string;
  readonly minAgeToStart: string;
  readonly maxAgeToStart: string;
}

export interface RawObservationRef {
  readonly text?: string;
  readonly code?: string;
}

export interface RawIndication {
  readonly observationCode?: RawObservationRef;
  readonly description?: string;
  readonly beginAge?: string;
  readonly endAge?: string;
  readonly guidance?: string;
}

export interface RawSeriesDose {
  readonly doseNumber: string;
  readonly age?: readonly RawAge[];
  readonly interval?: readonly RawInterval[];
  readonly allowableInterval?: readonly RawAllowableInterval[];
  readonly preferableVaccine?: readonly RawPreferableVaccine[];
  readonly allowableVaccine?: readonly RawAllowableVaccine[];
  readonly inadvertentVaccine?: readonly RawInadvertentVaccine[];
  readonly conditionalSkip?: readonly RawConditionalSkip[];
  readonly recurringDose: string;
  readonly seasonalRecommendation?: { readonly startDate?: string; readonly endDate?: string };
}

export interface RawAge {
  readonly absMinAge?: string;
  readonly minAge?: string;
  readonly earliestRecAge?: string;
  readonly latestRecAge?: string;
  readonly maxAge?: string;
  readonly effectiveDate?: string;
  readonly cessationDate?: string;
}

export interface RawInterval {
  readonly fromPrevious?: string;
  readonly fromTargetDose?: string;
  readonly fromMostRecent?: string;
  readonly fromRelevantObs?: RawObservationRef;
  readonly absMinInt?: string;
  readonly minInt?: string;
  readonly earliestRecInt?: string;
  readonly latestRecInt?: string;
  readonly intervalPriority?: string;
  readonly effectiveDate?: string;
  readonly cessationDate?: string;
}

export interface RawAllowableInterval {
  readonly fromPrevious?: string;
  readonly fromTargetDose?: string;
  readonly absMinInt?: string;
  readonly effectiveDate?: string;
  readonly cessationDate?: string;
}

export interface RawPreferableVaccine {
  readonly vaccineType?: string;
  readonly cvx?: string;
  readonly beginAge?: string;
  readonly endAge?: string;
  readonly tradeName?: string;
  readonly mvx?: string;
  readonly volume?: string;
  readonly forecastVaccineType?: string;
}

export interface RawAllowableVaccine {
  readonly vaccineType?: string;
  readonly cvx?: string;
  readonly beginAge?: string;
  readonly endAge?: string;
}

export interface RawInadvertentVaccine {
  readonly vaccineType?: string;
  readonly cvx?: string;
}

export interface RawConditionalSkip {
  /** "Evaluation" | "Forecast" | "Both" */
  readonly context?: string;
  readonly setLogic?: string;
  readonly set?: readonly RawConditionalSkipSet[];
}

export interface RawConditionalSkipSet {
  readonly setID?: string;
  readonly setDescription?: string;
  readonly effectiveDate?: string;
  readonly cessationDate?: string;
  readonly conditionLogic?: string;
  readonly condition?: readonly RawConditionalSkipCondition[];
}

export interface RawConditionalSkipCondition {
  readonly conditionID?: string;
  /** "Age" | "Completed Series" | "Interval" | "Vaccine Count by Age" | "Vaccine Count by Date" … */
  readonly conditionType?: string;
  readonly startDate?: string;
  readonly endDate?: string;
  readonly beginAge?: string;
  readonly endAge?: string;
  readonly interval?: string;
  readonly doseCount?: string;
  readonly doseType?: string;
  readonly doseCountLogic?: string;
  readonly vaccineTypes?: string;
  readonly seriesGroups?: string;
}

/** `rules/cdsi/<version>/schedule.json` */
export interface RawScheduleFile {
  readonly sourceFile: string;
  readonly scheduleSupportingData: RawScheduleSupportingData;
}

export interface RawScheduleSupportingData {
  readonly liveVirusConflicts: { readonly liveVirusConflict?: readonly RawLiveVirusConflict[] };
  readonly vaccineGroups: { readonly vaccineGroup?: readonly RawVaccineGroup[] };
  readonly vaccineGroupToAntigenMap: { readonly vaccineGroupMap?: readonly RawVaccineGroupMap[] };
  readonly cvxToAntigenMap: { readonly cvxMap?: readonly RawCvxMap[] };
  readonly observations: { readonly observation?: readonly RawObservation[] };
}

export interface RawLiveVirusConflict {
  readonly previous: { readonly vaccineType: string; readonly cvx: string };
  readonly current: { readonly vaccineType: string; readonly cvx: string };
  readonly conflictBeginInterval: string;
  readonly minConflictEndInterval: string;
  readonly conflictEndInterval: string;
}

export interface RawVaccineGroup {
  readonly name: string;
  /** "Yes" | "No" */
  readonly administerFullVaccineGroup: string;
}

export interface RawVaccineGroupMap {
  readonly name: string;
  readonly antigen?: readonly string[];
}

export interface RawCvxMap {
  readonly cvx: string;
  readonly shortDescription: string;
  readonly association: readonly {
    readonly antigen: string;
    readonly associationBeginAge?: string;
    readonly associationEndAge?: string;
  }[];
}

export interface RawObservation {
  readonly observationCode: string;
  readonly observationTitle: string;
  readonly group: string;
  readonly indicationText: string;
  readonly contraindicationText: string;
  readonly clarifyingText: string;
  readonly codedValues: readonly {
    readonly codedValue?: readonly {
      readonly code: string;
      readonly codeSystem: string;
      readonly text: string;
    }[];
  }[];
}

/** `rules/cdsi/<version>/manifest.json` */
export interface RawCdsiManifest {
  readonly kind: 'cdsi-rule-set';
  /** Stable identifier of the rule set, e.g. "cdc-cdsi". */
  readonly ruleSetId: string;
  /** Version label; the folder name, e.g. "4.64". */
  readonly version: string;
  /**
   * Only on a locally edited variant (written by `cdsi-rules rehash`): the version it was copied
   * from, e.g. "4.64" for `cdsi/4.64-wa/`. Absent on an unmodified CDC import.
   */
  readonly derivedFrom?: string;
  /** Only on a local variant: free text on who maintains it and what differs. */
  readonly description?: string;
  readonly source: {
    readonly publisher: string;
    /** CDC supporting-data version, e.g. "4.64". */
    readonly supportingDataVersion: string;
    /** Release date of the supporting data, YYYY-MM-DD. */
    readonly releaseDate: string;
    /** Logic Specification version the tables are meant for, e.g. "4.6". */
    readonly logicSpecVersion: string;
  };
  /** Antigen name → file path relative to the manifest's folder. */
  readonly antigens: Readonly<Record<string, string>>;
  /** Path of the schedule file relative to the manifest's folder. */
  readonly schedule: string;
  /** Every file of the rule set (relative path) → sha256 hex. */
  readonly files: Readonly<Record<string, string>>;
}
