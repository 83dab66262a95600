/**
 * The mapping engine (ARCHITECTURE.md §5): mapping template, verb → concept rules and activity →
 * skill rules, loaded from mappings/ and checked as a whole. See mappings/README.md for the
 * file formats, the source-path syntax and the transforms.
 */
export {
  loadMapping,
  validateMappingFiles,
  checkMappingFiles,
  mappingsDir,
  defaultMappingsDir,
  mappingFileKind,
  type Mapping,
  type MappingCheck,
  type MappingFileKind,
  type MappingFileReport,
} from './load.js';
export { MappingError, formatProblem, type MappingProblem } from './problems.js';
export { CONCEPTS, type Concept, type VerbRule, type SkillRule } from './rules.js';
export { REQUIRED_TARGETS, templateVersion, type FieldRule, type SourceSystem, type Cardinality } from './template.js';
export { compilePath, PathSyntaxError, type SourcePath } from './path.js';
export {
  TRANSFORMS,
  DATA_TYPES,
  normalizeScore,
  parseIso8601,
  toBoolean,
  lowercaseEmail,
  stripEmailAlias,
  enrollmentStateOf,
  type DataType,
  type Transform,
  type EnrollmentState,
} from './transforms.js';
