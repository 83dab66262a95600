import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { thrownBy } from '../../test/support/thrown.js';
import {
  checkMappingFiles,
  defaultMappingsDir,
  loadMapping,
  MappingError,
  mappingsDir,
  validateMappingFiles,
  type Mapping,
  type MappingProblem,
} from './index.js';

const BADGE_EXT = 'http://specification.openbadges.org/xapi/extensions/badgeassertion.json';
const CERT = 'http://id.tincanapi.com/attachment/certificate_of_completion';
const HEADER = 'source_system,source_field,target_field,data_type,transform,required,notes,cardinality,retention_policy';
const REAL = defaultMappingsDir();
const realFile = (name: string) => readFileSync(join(REAL, name), 'utf8');

/** Only where and which rule: the messages are checked separately. */
const places = (problems: readonly MappingProblem[]) => problems.map(({ file, row, column, rule }) => ({ file, row, column, rule }));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mapping-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A mappings directory: the real files, with the given ones replaced (undefined = left out). */
function writeMappings(files: Record<string, string | undefined> = {}): string {
  const all: Record<string, string | undefined> = {
    'lms-marketplace.v1.csv': realFile('lms-marketplace.v1.csv'),
    'verbs.csv': realFile('verbs.csv'),
    'skills.csv': realFile('skills.csv'),
    ...files,
  };
  for (const [name, text] of Object.entries(all)) if (text !== undefined) writeFileSync(join(dir, name), text);
  return dir;
}

const loadError = (at: string) => thrownBy(MappingError, () => loadMapping(at));

describe('loadMapping on the real mappings/ files', () => {
  let mapping: Mapping;
  beforeEach(() => {
    mapping = loadMapping();
  });

  const statement = {
    id: '6690e6c9-3ef0-4ed3-8b37-7f3964730bee',
    actor: { mbox: 'mailto:Ana.Lopez@acme.example' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/passed', display: { 'en-US': 'passed' } },
    object: { id: 'https://lms.example.com/courses/typescript-advanced', definition: { name: { 'en-US': 'TypeScript, advanced' } } },
    result: {
      completion: true,
      success: true,
      score: { raw: 46, min: 0, max: 50 },
      extensions: { [BADGE_EXT]: { '@id': 'https://badges.example/assertions/1' } },
    },
    timestamp: '2026-11-27T11:00:00+01:00',
    attachments: [
      { usageType: CERT, fileUrl: 'https://certs.example/ana/ts.pdf', contentType: 'application/pdf', length: 1, sha2: 'aa' },
      { usageType: CERT, fileUrl: 'https://certs.example/ana/ts.pdf', contentType: 'application/pdf', length: 1, sha2: 'aa' },
      { usageType: 'http://adlnet.gov/expapi/attachments/signature', contentType: 'application/octet-stream', length: 1, sha2: 'bb' },
    ],
  };
  const employee = { employee_id: ' E1001 ', email: 'Ana.Lopez@ACME.example', status: 'Active', worker_type: 'employee', given_name: 'Ana' };

  it('is version lms-marketplace@1, from the template file name', () => {
    expect(mapping.version).toBe('lms-marketplace@1');
    expect(mapping.files.template).toBe(join(REAL, 'lms-marketplace.v1.csv'));
  });

  it('maps ARCHITECTURE.md §5 default verbs to concepts', () => {
    const expected: Record<string, string> = {
      'http://adlnet.gov/expapi/verbs/completed': 'completion',
      'http://adlnet.gov/expapi/verbs/passed': 'pass',
      'http://adlnet.gov/expapi/verbs/failed': 'fail',
      'http://adlnet.gov/expapi/verbs/registered': 'enroll',
      'http://adlnet.gov/expapi/verbs/launched': 'launch',
      'http://adlnet.gov/expapi/verbs/initialized': 'launch',
      'http://adlnet.gov/expapi/verbs/scored': 'score',
      'https://w3id.org/xapi/adl/verbs/satisfied': 'completion',
      'https://w3id.org/xapi/adl/verbs/waived': 'completion',
      'https://w3id.org/xapi/adl/verbs/abandoned': 'drop',
      'http://specification.openbadges.org/xapi/verbs/earned.json': 'badge',
    };
    for (const [verb, concept] of Object.entries(expected)) expect(mapping.concept(verb), verb).toBe(concept);
    expect(mapping.concept('http://adlnet.gov/expapi/verbs/experienced')).toBeUndefined();
    expect(mapping.concept('HTTP://ADLNET.GOV/expapi/verbs/completed')).toBeUndefined(); // exact match
  });

  it('lists the skills of an activity, a fresh array each time', () => {
    expect(mapping.skills('https://lms.example.com/courses/typescript-advanced')).toEqual([
      { skillId: 'typescript', level: 80 },
      { skillId: 'nodejs', level: 60 },
    ]);
    mapping.skills('https://lms.example.com/courses/typescript-advanced').pop();
    expect(mapping.skills('https://lms.example.com/courses/typescript-advanced')).toHaveLength(2);
    expect(mapping.skills('https://lms.example.com/courses/unknown')).toEqual([]);
  });

  it('maps every required target', () => {
    for (const target of ['member_id', 'email', 'learning_completed', 'score', 'badge_awarded', 'enrollment_state', 'certificate_ref']) {
      expect(mapping.targets).toContain(target);
    }
  });

  it('reads xAPI targets from a statement', () => {
    expect(mapping.field('learning_completed', statement)).toBe(true);
    expect(mapping.field('learning_success', statement)).toBe(true);
    expect(mapping.field('score', statement)).toBe(92);
    expect(mapping.field('badge_awarded', statement)).toEqual({ '@id': 'https://badges.example/assertions/1' });
    expect(mapping.field('enrollment_state', statement)).toBe('completed');
    expect(mapping.field('certificate_ref', statement)).toEqual(['https://certs.example/ana/ts.pdf']); // many, distinct
    expect(mapping.field('activity_id', statement)).toBe('https://lms.example.com/courses/typescript-advanced');
    expect(mapping.field('activity_name', statement)).toEqual({ 'en-US': 'TypeScript, advanced' });
    expect(mapping.field('occurred_at', statement)).toBe('2026-11-27T10:00:00.000Z');
  });

  it('reads HRIS targets from an employee row', () => {
    expect(mapping.field('member_id', employee)).toBe('E1001');
    expect(mapping.field('email', employee)).toBe('ana.lopez@acme.example');
    expect(mapping.field('status', employee)).toBe('active');
    expect(mapping.field('member_id', employee, 'hris')).toBe('E1001');
    expect(mapping.field('member_id', employee, 'xapi')).toBeUndefined();
  });

  it('gives undefined when the source lacks the field or the transform yields nothing', () => {
    const bare = { actor: statement.actor, verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' }, object: { id: 'https://x.example/a' } };
    expect(mapping.field('score', bare)).toBeUndefined();
    expect(mapping.field('learning_completed', bare)).toBeUndefined();
    expect(mapping.field('enrollment_state', bare)).toBeUndefined();
    expect(mapping.field('certificate_ref', bare)).toBeUndefined();
    expect(mapping.field('badge_awarded', bare)).toBeUndefined();
    expect(mapping.field('score', { result: { score: { raw: 400 } } })).toBeUndefined();
    expect(mapping.field('email', { email: 'not an email' })).toBeUndefined();
    expect(mapping.field('member_id', { employee_id: '' })).toBeUndefined();
    expect(mapping.field('occurred_at', { timestamp: 'yesterday' })).toBeUndefined();
  });

  it('drops values of the wrong data type', () => {
    expect(mapping.field('badge_awarded', { result: { extensions: { [BADGE_EXT]: 'https://badges.example/1' } } })).toBeUndefined();
    expect(mapping.field('certificate_ref', { attachments: [{ usageType: CERT, fileUrl: 'not a url' }] })).toBeUndefined();
  });

  it('maps enrollment by the verb concept', () => {
    const at = (verb: string) => mapping.field('enrollment_state', { verb: { id: verb } });
    expect(at('http://adlnet.gov/expapi/verbs/registered')).toBe('active');
    expect(at('http://adlnet.gov/expapi/verbs/initialized')).toBe('active');
    expect(at('https://w3id.org/xapi/adl/verbs/satisfied')).toBe('completed');
    expect(at('https://w3id.org/xapi/adl/verbs/abandoned')).toBe('dropped');
    expect(at('http://adlnet.gov/expapi/verbs/failed')).toBeUndefined();
  });

  it('throws on a target no row maps (a programming error, not data)', () => {
    expect(() => mapping.field('favourite_colour', statement)).toThrow(/no target field "favourite_colour"/);
  });

  it('lists required HRIS targets a row lacks', () => {
    expect(mapping.missingRequired(employee, 'hris')).toEqual([]);
    expect(mapping.missingRequired({ employee_id: 'E1', email: 'nope' }, 'hris')).toEqual(['email', 'status']);
    expect(mapping.missingRequired(statement, 'xapi')).toEqual([]);
  });

  it('exposes its rules read-only', () => {
    expect(Object.isFrozen(mapping)).toBe(true);
    expect(mapping.fieldRules.find((r) => r.targetField === 'score')).toMatchObject({
      sourceSystem: 'xapi',
      sourceField: 'result.score',
      dataType: 'number',
      transforms: ['normalize_score_0_100'],
      cardinality: 'one',
      line: 11,
    });
    expect(mapping.verbRules.length).toBeGreaterThanOrEqual(11);
    expect(mapping.skillRules.length).toBeGreaterThanOrEqual(3);
  });

  it('the real directory has no problems', () => {
    expect(validateMappingFiles(REAL)).toEqual([]);
    expect(validateMappingFiles([join(REAL, 'verbs.csv'), join(REAL, 'skills.csv'), join(REAL, 'lms-marketplace.v1.csv')])).toEqual([]);
  });
});

describe('mappings directory resolution', () => {
  it('finds the project mappings/ by walking up from the module', () => {
    expect(REAL.endsWith('mappings')).toBe(true);
    expect(realFile('lms-marketplace.v1.csv').startsWith(HEADER)).toBe(true);
  });

  it('MAPPINGS_DIR points elsewhere; empty means the default; a missing directory is a ConfigError', () => {
    expect(mappingsDir({ MAPPINGS_DIR: dir })).toBe(dir);
    expect(mappingsDir({ MAPPINGS_DIR: '  ' })).toBe(REAL);
    expect(mappingsDir({})).toBe(REAL);
    expect(() => mappingsDir({ MAPPINGS_DIR: join(dir, 'nope') })).toThrow(ConfigError);
    expect(() => mappingsDir({ MAPPINGS_DIR: join(dir, 'nope') })).toThrow(/MAPPINGS_DIR/);
  });

  it('loads the newest lms-marketplace.v<N>.csv of a directory', () => {
    writeMappings({ 'lms-marketplace.v2.csv': realFile('lms-marketplace.v1.csv') });
    expect(loadMapping(dir).version).toBe('lms-marketplace@2');
  });
});

describe('loadMapping on broken files: every problem, with file, row and column', () => {
  it('verbs.csv: duplicate ids, unknown concepts, bad IRIs, empty cells', () => {
    writeMappings({
      'verbs.csv': [
        'verb_id,concept',
        'http://adlnet.gov/expapi/verbs/completed,completion',
        'http://adlnet.gov/expapi/verbs/completed,pass', // 3: duplicate
        'http://adlnet.gov/expapi/verbs/attempted,tried', // 4: unknown concept
        'completed,completion', // 5: not an IRI
        ',drop', // 6: empty verb id
        'http://adlnet.gov/expapi/verbs/exited,', // 7: empty concept
        '',
        'http://adlnet.gov/expapi/verbs/x,completion,extra', // 9: column count
      ].join('\n'),
    });
    const file = join(dir, 'verbs.csv');
    const error = loadError(dir);
    expect(places(error.problems)).toEqual([
      { file, row: 3, column: 'verb_id', rule: 'duplicate-verb' },
      { file, row: 4, column: 'concept', rule: 'allowed-values' },
      { file, row: 5, column: 'verb_id', rule: 'format' },
      { file, row: 6, column: 'verb_id', rule: 'required-column' },
      { file, row: 7, column: 'concept', rule: 'required-column' },
      { file, row: 9, column: '*', rule: 'column-count' },
    ]);
    const messages = error.problems.map((p) => p.message);
    expect(messages[0]).toContain('line 2');
    expect(messages[1]).toBe('"tried" is not allowed here: must be one of completion, pass, fail, enroll, launch, drop, badge, score');
    expect(messages[2]).toContain('absolute IRI');
    expect(messages[3]).toBe('the verb_id cell is empty; it is required');
    expect(error.message).toContain(`${file}:4:concept: allowed-values:`);
  });

  it('skills.csv: levels outside 0–100, non-numbers, duplicates, empty skill ids', () => {
    writeMappings({
      'skills.csv': [
        'activity_id,skill_id,level',
        'https://lms.example.com/a,ts,101', // 2
        'https://lms.example.com/a,node,-1', // 3
        'https://lms.example.com/a,go,high', // 4
        'https://lms.example.com/b,ts,50',
        'https://lms.example.com/b,ts,60', // 6: duplicate
        'https://lms.example.com/c,,10', // 7
        'https://lms.example.com/c,sql,100',
        'https://lms.example.com/c,rust,0',
        'https://lms.example.com/c,java,12.5',
      ].join('\n'),
    });
    const file = join(dir, 'skills.csv');
    expect(places(loadError(dir).problems)).toEqual([
      { file, row: 2, column: 'level', rule: 'range' },
      { file, row: 3, column: 'level', rule: 'range' },
      { file, row: 4, column: 'level', rule: 'type' },
      { file, row: 6, column: 'skill_id', rule: 'duplicate-skill' },
      { file, row: 7, column: 'skill_id', rule: 'required-column' },
    ]);
    expect(loadError(dir).problems[0]?.message).toBe('101 is not allowed here: must be a number from 0 to 100');
  });

  it('template: unknown transforms, malformed paths, bad cells, inconsistent and duplicate rows', () => {
    const rows = realFile('lms-marketplace.v1.csv').trimEnd().split('\n');
    writeMappings({
      'lms-marketplace.v1.csv': [
        ...rows,
        'xapi,result.duration,duration,string,to_iso_duration,false,,one,while_employed', // 15
        'xapi,result.extensions["http://x,extra,json,identity,false,,one,while_employed', // 16
        'xapi,result..x,extra2,json,,false,,one,while_employed', // 17
        'crm,id,crm_id,string,,false,,one,while_employed', // 18
        'xapi,result.score,score,number,normalize_score_0_100,false,,one,while_employed', // 19: duplicate of 11
        'xapi,result.score.raw,score,string,trim,false,,many,while_employed', // 20: inconsistent type, cardinality
        'xapi,result.score,score_text,string,normalize_score_0_100,false,,one,while_employed', // 21: output type
        'hris,dept,department,string,trim,yes,,one,forever', // 22: required, retention
        'hris,dept,,text,trim,,,some,', // 23: empties and enums
        'xapi,verb.id,state,string,lowercase_email | nope,false,,one,P7Y', // 24
      ].join('\n'),
    });
    const file = join(dir, 'lms-marketplace.v1.csv');
    const problems = loadError(dir).problems;
    expect(places(problems)).toEqual([
      { file, row: 15, column: 'transform', rule: 'unknown-transform' },
      { file, row: 16, column: 'source_field', rule: 'path-syntax' },
      { file, row: 17, column: 'source_field', rule: 'path-syntax' },
      { file, row: 18, column: 'source_system', rule: 'allowed-values' },
      { file, row: 19, column: 'source_field', rule: 'duplicate-row' },
      { file, row: 20, column: 'data_type', rule: 'inconsistent-target' },
      { file, row: 20, column: 'cardinality', rule: 'inconsistent-target' },
      { file, row: 21, column: 'data_type', rule: 'transform-output' },
      { file, row: 22, column: 'required', rule: 'type' },
      { file, row: 22, column: 'retention_policy', rule: 'format' },
      { file, row: 23, column: 'target_field', rule: 'required-column' },
      { file, row: 23, column: 'required', rule: 'required-column' },
      { file, row: 23, column: 'retention_policy', rule: 'required-column' },
      { file, row: 23, column: 'data_type', rule: 'allowed-values' },
      { file, row: 23, column: 'cardinality', rule: 'allowed-values' },
      { file, row: 24, column: 'transform', rule: 'unknown-transform' },
    ]);
    const message = (row: number, column: string) => problems.find((p) => p.row === row && p.column === column)?.message;
    expect(message(15, 'transform')).toMatch(/^unknown transform "to_iso_duration"; known: identity, none, /);
    expect(message(16, 'source_field')).toBe('unterminated quoted key (opened with ") at character 19 of "result.extensions[\\"http://x"');
    expect(message(19, 'source_field')).toBe('line 11 already maps xapi result.score to score');
    expect(message(20, 'data_type')).toBe('score is number on line 11; every row for a target must have the same data_type');
    expect(message(21, 'data_type')).toBe('transform normalize_score_0_100 produces number, not string');
    expect(message(22, 'required')).toBe('"yes" is not allowed here: must be true or false');
    expect(message(24, 'transform')).toContain('"nope"');
  });

  it('template: a missing required target is a whole-file problem (row 0) on column target_field', () => {
    const rows = realFile('lms-marketplace.v1.csv')
      .trimEnd()
      .split('\n')
      .filter((line) => !line.includes(',score,') && !line.includes(',certificate_ref,'));
    writeMappings({ 'lms-marketplace.v1.csv': rows.join('\n') });
    const file = join(dir, 'lms-marketplace.v1.csv');
    const problems = loadError(dir).problems;
    expect(places(problems)).toEqual([
      { file, row: 0, column: 'target_field', rule: 'missing-target' },
      { file, row: 0, column: 'target_field', rule: 'missing-target' },
    ]);
    expect(problems.map((p) => p.message)).toEqual(['no row maps the required target score', 'no row maps the required target certificate_ref']);
  });

  it('a wrong header is reported on row 1 at the first differing column, and the rows are not read', () => {
    writeMappings({
      'lms-marketplace.v1.csv': HEADER.replace('transform,required', 'required,transform') + '\nxapi,a,b,c,d,e,f,g,h\n',
      'skills.csv': 'activity_id,skill_id\nhttps://x.example/a,ts\n',
    });
    const problems = loadError(dir).problems;
    expect(places(problems)).toEqual([
      { file: join(dir, 'lms-marketplace.v1.csv'), row: 1, column: 'transform', rule: 'header' },
      { file: join(dir, 'skills.csv'), row: 1, column: 'level', rule: 'header' },
    ]);
    expect(problems[1]?.message).toBe('expected the header activity_id,skill_id,level; got activity_id,skill_id');
  });

  it('rows are numbered by line: header 1, empty lines and multi-line quoted cells counted, CRLF and BOM accepted', () => {
    const rows = realFile('lms-marketplace.v1.csv').trimEnd().split('\n');
    const [header, ...data] = rows;
    const text = [
      header,
      '',
      data[0], // 3
      'hris,a,b,string,,false,"notes over', // 4
      'two lines",one,while_employed', // 5
      '',
      'hris,c,d,string,bogus,false,"""quoted"" notes",one,while_employed', // 7
      ...data.slice(1),
    ].join('\r\n');
    writeMappings({ 'lms-marketplace.v1.csv': '\uFEFF' + text });
    expect(places(loadError(dir).problems)).toEqual([{ file: join(dir, 'lms-marketplace.v1.csv'), row: 7, column: 'transform', rule: 'unknown-transform' }]);
  });

  it('a CSV syntax error names its line; rows before it are still checked', () => {
    writeMappings({
      'verbs.csv': ['verb_id,concept', 'http://a.example/v,nope', 'http://b.example/v,"pass"x', 'http://c.example/v,nope'].join('\n'),
    });
    const file = join(dir, 'verbs.csv');
    const problems = loadError(dir).problems;
    expect(places(problems)).toEqual([
      { file, row: 2, column: 'concept', rule: 'allowed-values' },
      { file, row: 3, column: '*', rule: 'csv-syntax' },
    ]);
    expect(problems[1]?.message).toMatch(/Invalid Closing Quote.*the rest of the file was not read/);
  });

  it('problems of all three files come together, and missing files are named', () => {
    writeMappings({ 'verbs.csv': undefined, 'skills.csv': 'activity_id,skill_id,level\nx,y,z\n' });
    const problems = loadError(dir).problems;
    expect(places(problems)).toEqual([
      { file: join(dir, 'skills.csv'), row: 2, column: 'activity_id', rule: 'format' },
      { file: join(dir, 'skills.csv'), row: 2, column: 'level', rule: 'type' },
      { file: join(dir, 'verbs.csv'), row: 0, column: '*', rule: 'missing-file' },
    ]);
  });

  it('an empty file has no header', () => {
    writeMappings({ 'verbs.csv': '' });
    expect(places(loadError(dir).problems)).toEqual([{ file: join(dir, 'verbs.csv'), row: 1, column: '*', rule: 'header' }]);
  });
});

describe('validateMappingFiles', () => {
  it('a directory without the three files names each missing one', () => {
    writeFileSync(join(dir, 'README.md'), '# nothing');
    expect(places(validateMappingFiles(dir))).toEqual([
      { file: join(dir, 'lms-marketplace.v1.csv'), row: 0, column: '*', rule: 'missing-file' },
      { file: join(dir, 'skills.csv'), row: 0, column: '*', rule: 'missing-file' },
      { file: join(dir, 'verbs.csv'), row: 0, column: '*', rule: 'missing-file' },
    ]);
    expect(places(validateMappingFiles(join(dir, 'nope')))).toEqual([{ file: join(dir, 'nope'), row: 0, column: '*', rule: 'missing-file' }]);
  });

  it('checks every template in a directory and each file by its kind', () => {
    writeMappings({ 'other-template.csv': HEADER + '\n' });
    const check = checkMappingFiles(dir);
    expect(check.files.map((f) => [f.kind, f.version])).toEqual([
      ['template', 'lms-marketplace@1'],
      ['template', undefined],
      ['skills', undefined],
      ['verbs', undefined],
    ]);
    const rules = check.problems.filter((p) => p.file.endsWith('other-template.csv')).map((p) => p.rule);
    expect(rules[0]).toBe('template-name');
    expect(rules.filter((r) => r === 'missing-target')).toHaveLength(7);
  });

  it('a single file: its kind by name', () => {
    writeFileSync(join(dir, 'verbs-extra.csv'), 'verb_id,concept\nhttp://a.example/v,launch\n');
    writeFileSync(join(dir, 'skills-2027.csv'), 'activity_id,skill_id,level\nhttp://a.example/a,s,200\n');
    expect(validateMappingFiles([join(dir, 'verbs-extra.csv')])).toEqual([]);
    expect(places(validateMappingFiles([join(dir, 'skills-2027.csv')]))).toEqual([
      { file: join(dir, 'skills-2027.csv'), row: 2, column: 'level', rule: 'range' },
    ]);
    expect(checkMappingFiles([join(dir, 'verbs-extra.csv')]).files).toEqual([{ file: join(dir, 'verbs-extra.csv'), kind: 'verbs', rows: 1 }]);
  });
});
