/**
 * `lrs mapping validate [file]`: checks the mapping files (ARCHITECTURE.md §5) and prints every
 * problem as `file:row:column: rule: message` (row = line in the file, header = 1; row 0 = the
 * whole file). Exit codes: 0 valid (one OK line), 1 problems, 2 usage error. Without a file it
 * checks the whole mappings directory (MAPPINGS_DIR or the project's mappings/); with one, that
 * file, its kind by name: verbs*.csv, skills*.csv, otherwise a template.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import {
  checkMappingFiles,
  formatProblem,
  loadMapping,
  mappingFileKind,
  mappingsDir,
  type MappingFileReport,
} from '../../projections/mapping/index.js';
import { parseOptions, processIo, usageError, type CliIo } from './io.js';

export const MAPPING_USAGE = `usage: lrs mapping validate [file]

  Checks the mapping template, verbs.csv and skills.csv. Without a file: every .csv in the
  mappings directory (MAPPINGS_DIR, default: the project's mappings/). With a file: that file,
  its kind by name (verbs*.csv, skills*.csv, otherwise a template such as lms-marketplace.v1.csv).
  Prints file:row:column: rule: message per problem. Exit 0 valid, 1 problems, 2 usage error.
`;

/** The mapping files are named relative to the working directory, in arguments and in reports. */
export interface MappingCliIo extends CliIo {
  cwd: string;
}

/** Runs `lrs mapping …` with argv after "mapping"; returns the exit code. MAPPINGS_DIR errors throw ConfigError. */
export function runMapping(argv: readonly string[], given: Partial<MappingCliIo> = {}): number {
  const io: MappingCliIo = {
    stdout: given.stdout ?? processIo.stdout,
    stderr: given.stderr ?? processIo.stderr,
    env: given.env ?? processIo.env,
    cwd: given.cwd ?? process.cwd(),
  };
  const { stdout, env, cwd } = io;
  const [command, ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    stdout(MAPPING_USAGE);
    return 0;
  }
  if (command !== 'validate') return usageError(io, 'lrs mapping', command === undefined ? 'the command is missing' : `unknown command "${command}"`, MAPPING_USAGE);
  const args = parseOptions(rest, {});
  if ('problem' in args) return usageError(io, 'lrs mapping validate', args.problem, MAPPING_USAGE);
  if (args.positionals.length > 1) return usageError(io, 'lrs mapping validate', 'expects at most one file', MAPPING_USAGE);

  const show = (file: string): string => {
    const rel = relative(cwd, file);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
  };
  const file = args.positionals[0];
  const target = file === undefined ? mappingsDir(env, cwd) : resolve(cwd, file);
  const check = checkMappingFiles(file === undefined ? target : [target]);
  if (check.problems.length > 0) {
    for (const problem of check.problems) stdout(`${formatProblem(problem, show(problem.file))}\n`);
    const files = new Set(check.problems.map((p) => p.file)).size;
    stdout(`${check.problems.length} problem${check.problems.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}\n`);
    return 1;
  }

  if (file === undefined) {
    const mapping = loadMapping(target);
    const templates = check.files.filter((f) => f.kind === 'template').length;
    stdout(
      `OK ${mapping.version}: ${mapping.fieldRules.length} template rows (${mapping.targets.length} targets), ` +
        `${mapping.verbRules.length} verb rules, ${mapping.skillRules.length} skill rules` +
        `${templates > 1 ? `, ${templates} templates checked` : ''} in ${show(target)}\n`,
    );
  } else {
    const report = check.files[0] as MappingFileReport;
    const what = { template: 'template rows', verbs: 'verb rules', skills: 'skill rules' }[mappingFileKind(target)];
    stdout(`OK ${report.version ?? report.kind}: ${report.rows} ${what} in ${show(target)}\n`);
  }
  return 0;
}
