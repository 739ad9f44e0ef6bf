/**
 * Types of the generated CDC code tables under `rules/codes/<version>/`. Every table file is a
 * JSON object whose `entries` array is sorted by code; the JSON Schemas in
 * `rules/schema/codes-*.schema.json` describe exactly these shapes (`additionalProperties: false`).
 *
 * Text values are copied from the CDC sources with only leading/trailing white space removed
 * (CDC pads its fixed-width columns); dates are converted to `YYYY-MM-DD`. An optional property is
 * absent when the source value is empty.
 */

/** CDC status of a CVX code (cvx.xml `Status`; also used by vac2vg.xml). */
export type CvxStatus = 'Active' | 'Inactive' | 'Non-US' | 'Never Active' | 'Pending';

/** Status values used by mvx.xml and tradename.xml. */
export type ActiveStatus = 'Active' | 'Inactive';

/** Whether an NDC row came from the unit-of-use or the unit-of-sale file. */
export type NdcKind = 'unit-of-use' | 'unit-of-sale';

/** One CVX code (one `<CVXInfo>` of cvx.xml). */
export interface CvxEntry {
  /** CVX code as CDC writes it, leading zeros kept (`"03"`, `"140"`). */
  readonly code: string;
  readonly shortDescription: string;
  /** cvx.xml `FullVaccinename`. */
  readonly fullVaccineName: string;
  readonly notes?: string;
  readonly status: CvxStatus;
  /** `YYYY-MM-DD`. */
  readonly lastUpdated: string;
}

/** One manufacturer (one `<MVXInfo>` of mvx.xml). */
export interface MvxEntry {
  /** MVX code (`"PMC"`). */
  readonly code: string;
  readonly manufacturerName: string;
  readonly notes?: string;
  readonly status: ActiveStatus;
  /** `YYYY-MM-DD`. */
  readonly lastUpdated: string;
}

/** One CPT → CVX mapping row of cpt.xml (a CPT code can map to several CVX codes). */
export interface CptMapping {
  readonly cvx: string;
  /** cpt.xml `Vaccine Name` (CDC's CVX short description for this mapping). */
  readonly vaccineName: string;
  /** cpt.xml `Status` (empty for every row of the current CDC file). */
  readonly status?: string;
  readonly comments?: string;
  /** `YYYY-MM-DD`. */
  readonly lastUpdated: string;
}

/** One CPT code with all its CVX mappings (the cpt.xml rows sharing that CPT code). */
export interface CptEntry {
  /** Five-character CPT code (`"90707"`). */
  readonly code: string;
  /** cpt.xml `CPT Desc` (AMA CPT short descriptor as published by CDC). */
  readonly description: string;
  /** Sorted by CVX code; more than one only where CDC maps one CPT code to several CVX codes. */
  readonly mappings: readonly CptMapping[];
}

/** Fields shared by unit-of-use and unit-of-sale NDC rows. */
export interface NdcRecordBase {
  /** CDC's row id (first field); the key NDC_Linker.txt refers to. Not unique in CDC's files. */
  readonly cdcId: string;
  /** The hyphenated NDC exactly as CDC gives it. */
  readonly ndcAsGiven: string;
  /** Labeler segment as given in its own field (leading zeros may be missing). */
  readonly labelerCode: string;
  /** Product segment as given in its own field. */
  readonly productCode: string;
  /** Package segment as given in its own field. */
  readonly packageCode: string;
  readonly proprietaryName: string;
  /** Non-proprietary (generic) description; CDC truncates some long ones. */
  readonly genericName: string;
  readonly labelerName: string;
  /** Marketing start date `YYYY-MM-DD`; absent when CDC left it empty. */
  readonly startDate?: string;
  /** Marketing end date `YYYY-MM-DD`; absent while still marketed. */
  readonly endDate?: string;
  readonly packageDescription?: string;
  readonly cvx: string;
  readonly cvxShortDescription: string;
  /** GTIN printed on the package, when CDC gives one. */
  readonly gtin?: string;
  /** `YYYY-MM-DD` (CDC gives a timestamp that is always midnight). */
  readonly lastUpdated: string;
}

/** One row of NDC_Unit_use.txt. */
export interface NdcUnitOfUseRecord extends NdcRecordBase {
  /** CDC's True/False flag: true when there is no separate inner (unit-of-use) package NDC. */
  readonly noInner: boolean;
  /** Unit-of-sale NDCs (normalised) this row is linked to by NDC_Linker.txt. */
  readonly unitOfSaleNdcs: readonly string[];
}

/** One row of NDC_Unit_sale.txt. */
export interface NdcUnitOfSaleRecord extends NdcRecordBase {
  readonly route: string;
  /** Unit-of-use NDCs (normalised) this row is linked to by NDC_Linker.txt. */
  readonly unitOfUseNdcs: readonly string[];
}

/** Everything CDC says about one NDC (normalised 11-digit 5-4-2 hyphenated form). */
export interface NdcEntry {
  /** `LLLLL-PPPP-KK`. */
  readonly ndc: string;
  /** Union of the rows' CVX codes, sorted (several only for CDC's multi-CVX NDCs). */
  readonly cvx: readonly string[];
  /** MVX codes NDC_Linker.txt gives for links touching this NDC, sorted. */
  readonly mvx: readonly string[];
  /** Rows of NDC_Unit_use.txt with this NDC (usually 0 or 1). */
  readonly unitOfUse: readonly NdcUnitOfUseRecord[];
  /** Rows of NDC_Unit_sale.txt with this NDC (usually 0 or 1). */
  readonly unitOfSale: readonly NdcUnitOfSaleRecord[];
}

/** Known CDC oddities a linker row can carry. */
export type NdcLinkOddity =
  | 'unit-of-sale-id-not-found'
  | 'unit-of-use-id-not-found'
  | 'unit-of-sale-id-ambiguous-resolved-by-labeler'
  | 'unit-of-use-id-ambiguous-resolved-by-labeler';

/** One row of NDC_Linker.txt, resolved to NDCs where possible. */
export interface NdcLink {
  readonly linkId: string;
  readonly unitOfSaleId: string;
  readonly unitOfUseId: string;
  readonly mvx: string;
  /** Resolved unit-of-sale NDC; absent when the id is not in NDC_Unit_sale.txt. */
  readonly unitOfSaleNdc?: string;
  /** Resolved unit-of-use NDC; absent when the id is not in NDC_Unit_use.txt. */
  readonly unitOfUseNdc?: string;
  readonly oddities?: readonly NdcLinkOddity[];
}

/** One CDC product name (one `<prodInfo>` of tradename.xml). */
export interface TradenameEntry {
  /** `CDC Product Name`. */
  readonly productName: string;
  readonly shortDescription: string;
  readonly cvx: string;
  readonly manufacturer?: string;
  readonly mvx?: string;
  readonly mvxStatus: ActiveStatus;
  readonly productNameStatus: ActiveStatus;
  /** `YYYY-MM-DD`. */
  readonly lastUpdated: string;
  /** How many identical rows the source had, when more than one (a CDC duplicate). */
  readonly sourceRowCount?: number;
}

/** One CVX → vaccine group row of vac2vg.xml. */
export interface VaccineGroupEntry {
  readonly cvx: string;
  readonly shortDescription: string;
  readonly status: CvxStatus;
  readonly vaccineGroupName: string;
  /** `CVX for Vaccine Group`: the unspecified-formulation CVX that names the group. */
  readonly vaccineGroupCvx: string;
}

/** Content of `cvx.json`. */
export interface CvxTable {
  readonly entries: readonly CvxEntry[];
}
/** Content of `mvx.json`. */
export interface MvxTable {
  readonly entries: readonly MvxEntry[];
}
/** Content of `cpt.json`. */
export interface CptTable {
  readonly entries: readonly CptEntry[];
}
/** Content of `ndc.json`. */
export interface NdcTable {
  readonly entries: readonly NdcEntry[];
  readonly links: readonly NdcLink[];
}
/** Content of `tradenames.json`. */
export interface TradenameTable {
  readonly entries: readonly TradenameEntry[];
}
/** Content of `vaccine-groups.json`. */
export interface VaccineGroupTable {
  readonly entries: readonly VaccineGroupEntry[];
}

/** Provenance of one source file, as recorded in the manifest. */
export interface CodesSourceFile {
  /** Date the file last changed in the mirroring repository (SOURCE.md). */
  readonly lastChanged: string;
  /** Record count stated in SOURCE.md (checked against the parsed count). */
  readonly records: number;
  /** sha256 of the source file's bytes. */
  readonly sha256: string;
}

/** Where and when the code tables came from (parsed from SOURCE.md). */
export interface CodesSource {
  readonly title: string;
  readonly repository: string;
  readonly repositoryUrl: string;
  readonly commit: string;
  readonly commitMessage: string;
  /** Snapshot date taken from the commit message (`YYYY-MM-DD`). */
  readonly snapshotDate: string;
  readonly pathInRepository: string;
  readonly files: Readonly<Record<string, CodesSourceFile>>;
}

/** Content of `manifest.json`. */
export interface CodesManifest {
  readonly kind: 'cdc-code-tables';
  readonly version: string;
  readonly source: CodesSource;
  /** Table file name → sha256 of its bytes. */
  readonly files: Readonly<Record<string, string>>;
}

/** The six table files of a version folder, by file name. */
export interface CodeTableFiles {
  readonly 'cvx.json': CvxTable;
  readonly 'mvx.json': MvxTable;
  readonly 'cpt.json': CptTable;
  readonly 'ndc.json': NdcTable;
  readonly 'tradenames.json': TradenameTable;
  readonly 'vaccine-groups.json': VaccineGroupTable;
}

/** File names of the tables, in the order they are written and validated. */
export const CODE_TABLE_FILES = [
  'cvx.json',
  'mvx.json',
  'cpt.json',
  'ndc.json',
  'tradenames.json',
  'vaccine-groups.json',
] as const satisfies readonly (keyof CodeTableFiles)[];

/** One of {@link CODE_TABLE_FILES}. */
export type CodeTableFileName = (typeof CODE_TABLE_FILES)[number];

/** Validated, indexed code tables as returned by `loadCodeTables`. */
export interface CodeTables {
  readonly version: string;
  readonly manifest: CodesManifest;
  /** CVX code (as in the source, e.g. `"03"`) → entry. */
  readonly cvx: ReadonlyMap<string, CvxEntry>;
  /** MVX code → entry. */
  readonly mvx: ReadonlyMap<string, MvxEntry>;
  /** CPT code → entry with its mappings. */
  readonly cpt: ReadonlyMap<string, CptEntry>;
  /**
   * CPT code → CVX codes (sorted). A list, not a single code: CDC maps 10 CPT codes to two CVX
   * codes each (e.g. 90700 → 20 and 106); choosing one is the caller's clinical decision.
   */
  readonly cptToCvx: ReadonlyMap<string, readonly string[]>;
  /** Normalised NDC (`LLLLL-PPPP-KK`, see `normalizeNdc`) → entry (its `cvx` lists the codes). */
  readonly ndcToCvx: ReadonlyMap<string, NdcEntry>;
  /** NDC_Linker.txt rows. */
  readonly ndcLinks: readonly NdcLink[];
  readonly tradenames: readonly TradenameEntry[];
  /** CVX code → the CDC product names with that CVX. */
  readonly tradenamesByCvx: ReadonlyMap<string, readonly TradenameEntry[]>;
  readonly vaccineGroups: readonly VaccineGroupEntry[];
  /** CVX code → its vaccine-group rows (a combination vaccine is in several groups). */
  readonly vaccineGroupsByCvx: ReadonlyMap<string, readonly VaccineGroupEntry[]>;
}
