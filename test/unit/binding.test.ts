// Argv and pipeline binding (lib/cmdlet/binding.ts, lib/cmdlet/pipeline.ts) against a small definition,
// as a table: each row is what a user types and what the command receives (or the usage error it gets).
import test from 'ava';
import { bindArguments, bindPipelineObject, checkMandatory, printable } from '../../lib/cmdlet/binding.js';
import { ErrorRecord, ExitCode } from '../../lib/cmdlet/errors.js';
import { readPipelineInput } from '../../lib/cmdlet/pipeline.js';
import type { CmdletDefinition } from '../../lib/cmdlet/types.js';
import { FQDN, PORT } from '../../lib/cmdlet/validators.js';

// DisplayName is declared before Fqdn on purpose: positions come from `position`, not from the order.
const def: CmdletDefinition = {
  name: 'New-Thing',
  synopsis: 's',
  description: 'd',
  examples: [],
  outputType: 'Thing',
  outputs: [],
  supportsShouldProcess: true,
  parameters: [
    { name: 'DisplayName', type: 'string', position: 1, help: 'h' },
    { name: 'Fqdn', type: 'string', mandatory: true, position: 0, ...FQDN, help: 'h' },
    { name: 'EnableCompliance', type: 'switch', help: 'h' },
    { name: 'EnableDisasterRecovery', type: 'switch', help: 'h' },
    { name: 'Computer', type: 'string[]', ...FQDN, aliases: ['ComputerName'], help: 'h' },
    { name: 'Port', type: 'int', ...PORT, help: 'h' },
    { name: 'Offset', type: 'int', validateRange: { min: -100, max: 100 }, help: 'h' },
    { name: 'Edition', type: 'enum', validateSet: ['Enterprise', 'Standard'], help: 'h' },
    { name: 'Path', type: 'string', help: 'h' },
  ],
  process: async () => undefined,
};

type Expected = { values: Record<string, unknown> } | { error: string; mentions?: string[] };

const bind = test.macro({
  exec(t, argv: string[], expected: Expected) {
    if ('values' in expected) {
      const r = bindArguments(def, argv);
      t.deepEqual(r.values, expected.values);
      t.deepEqual([...r.bound].sort(), Object.keys(expected.values).sort(), 'bound names are the given ones');
      return;
    }
    const e = t.throws(() => bindArguments(def, argv), { instanceOf: ErrorRecord }) as ErrorRecord;
    t.is(e.errorId, expected.error);
    t.is(e.exitCode, ExitCode.Usage, 'binding errors are usage errors (exit 2)');
    t.is(e.category, 'InvalidArgument');
    t.true(e.recommendedAction.length > 0, 'says what to do');
    for (const m of expected.mentions ?? []) t.true(e.message.includes(m) || e.recommendedAction.includes(m), `mentions ${m}: ${e.message} / ${e.recommendedAction}`);
  },
  title: (provided = '', argv: string[]) => `${provided}: ${argv.map((a) => printable(a.includes(' ') ? `'${a}'` : a)).join(' ') || '(nothing)'}`.trim(),
});

const F = 'pool.contoso.com';

// ---- names ----------------------------------------------------------------------
test('PascalCase name', bind, ['-Fqdn', F], { values: { Fqdn: F } });
test('lower-case name', bind, ['-fqdn', F], { values: { Fqdn: F } });
test('double dash', bind, ['--fqdn', F], { values: { Fqdn: F } });
test('kebab-case long form', bind, ['--enable-compliance', '--display-name', 'x'], { values: { EnableCompliance: true, DisplayName: 'x' } });
test('colon value', bind, ['-Fqdn:' + F], { values: { Fqdn: F } });
test('POSIX --name=value', bind, ['--display-name=Chat=1', '--port=5041', '--enable-compliance=false'], { values: { DisplayName: 'Chat=1', Port: 5041, EnableCompliance: false } });
test('POSIX --name= with nothing after it', bind, ['--port='], { error: 'ParameterValueEmpty', mentions: ['Port'] });
test('-Name=value with one dash binds the parameter it names (not a value \'-Fqdn=...\')', bind, ['-Fqdn=' + F, '-Disp=Chat=1'], { values: { Fqdn: F, DisplayName: 'Chat=1' } });
test('-Name= with one dash and nothing after it', bind, ['-Port='], { error: 'ParameterValueEmpty', mentions: ['Port'] });
test('= in a single-dash token is a value, not a parameter', bind, ['-Fqdn', F, '-DisplayName', '-a=b'], { values: { Fqdn: F, DisplayName: '-a=b' } });
test('colon value keeps later colons', bind, ['-Path:C:\\data\\x'], { values: { Path: 'C:\\data\\x' } });
test('an alias', bind, ['-ComputerName', 'a.contoso.com'], { values: { Computer: ['a.contoso.com'] } });
test('unique prefix', bind, ['-Disp', 'Chat'], { values: { DisplayName: 'Chat' } });
test('unique prefix of a common parameter', bind, ['-Verb'], { values: { Verbose: true } });
test('ambiguous prefix lists the candidates', bind, ['-Enable'], { error: 'AmbiguousParameter', mentions: ['-EnableCompliance', '-EnableDisasterRecovery'] });
test('ambiguous prefix across own and common parameters', bind, ['-D', 'x'], { error: 'AmbiguousParameter', mentions: ['-DisplayName', '-Debug'] });
test('unknown parameter is named, with a near match', bind, ['-Fqnd', F], { error: 'NamedParameterNotFound', mentions: ["'-Fqnd'", 'Did you mean -Fqdn'] });
test('unknown parameter without a near match', bind, ['-Colour', 'red'], { error: 'NamedParameterNotFound', mentions: ["'-Colour'", 'New-Thing -?'] });

// ---- switches -------------------------------------------------------------------
test('switch present', bind, ['-EnableCompliance'], { values: { EnableCompliance: true } });
test('switch :false', bind, ['-EnableCompliance:false'], { values: { EnableCompliance: false } });
test('switch :$false (quoted in the shell)', bind, ['-EnableCompliance:$false'], { values: { EnableCompliance: false } });
test('switch :0', bind, ['-EnableCompliance:0'], { values: { EnableCompliance: false } });
test('switch :$true', bind, ['-EnableCompliance:$true'], { values: { EnableCompliance: true } });
test('switch with a non-boolean value', bind, ['-EnableCompliance:maybe'], { error: 'ParameterArgumentValidationError', mentions: ['EnableCompliance', 'maybe'] });
test('a switch never takes the next token', bind, ['-EnableCompliance', F], { values: { EnableCompliance: true, Fqdn: F } });
test('empty -X: (bash ate $false) is refused with a hint', bind, ['-EnableCompliance:'], { error: 'ParameterValueEmpty', mentions: ['$false', '-EnableCompliance:false'] });
test('empty -X: on a value parameter', bind, ['-Port:'], { error: 'ParameterValueEmpty', mentions: ['-Port:'] });
test('-WhatIf is a common switch of a ShouldProcess command', bind, ['-WhatIf', '-Confirm:false'], { values: { WhatIf: true, Confirm: false } });

// ---- arrays ---------------------------------------------------------------------
test('comma list', bind, ['-Computer', 'a.contoso.com,b.contoso.com'], { values: { Computer: ['a.contoso.com', 'b.contoso.com'] } });
test('comma list with spaces (one quoted token)', bind, ['-Computer', 'a.contoso.com, b.contoso.com'], { values: { Computer: ['a.contoso.com', 'b.contoso.com'] } });
test('one item is a list of one', bind, ['-Computer:a.contoso.com'], { values: { Computer: ['a.contoso.com'] } });
test('PowerShell\'s "a, b" split by the shell after the comma is one list', bind, ['-Computer', 'a.contoso.com,', 'b.contoso.com,', 'c.contoso.com'], { values: { Computer: ['a.contoso.com', 'b.contoso.com', 'c.contoso.com'] } });
test('"a ,b" split by the shell before the comma is one list', bind, ['-Computer', 'a.contoso.com', ',b.contoso.com', '-Fqdn', F], { values: { Computer: ['a.contoso.com', 'b.contoso.com'], Fqdn: F } });
test('a trailing comma before a parameter is still an empty item', bind, ['-Computer', 'a.contoso.com,', '-Fqdn', F], { error: 'ParameterArgumentValidationError', mentions: ['Computer', 'empty'] });
test('empty list item', bind, ['-Computer', 'a.contoso.com,,b.contoso.com'], { error: 'ParameterArgumentValidationError', mentions: ['Computer', 'empty'] });
test('every list item is validated', bind, ['-Computer', 'a.contoso.com,not_a_host'], { error: 'ParameterArgumentValidationError', mentions: ['not_a_host', 'fully qualified domain name'] });

// ---- positions ------------------------------------------------------------------
test('explicit positions, not declaration order', bind, [F, 'Chat'], { values: { Fqdn: F, DisplayName: 'Chat' } });
test('a named parameter takes its slot; the next positional fills the next one', bind, ['-Fqdn', F, 'Chat'], { values: { Fqdn: F, DisplayName: 'Chat' } });
test('named binds first, positionals fill the free slots', bind, ['Chat', '-Fqdn', F], { values: { Fqdn: F, DisplayName: 'Chat' } });
test('a positional value is validated for its slot', bind, ['Chat'], { error: 'ParameterArgumentValidationError', mentions: ["'Chat'", 'Fqdn'] });
test('excess positional is named', bind, [F, 'Chat', 'extra'], { error: 'PositionalParameterNotFound', mentions: ["'extra'"] });
test('-- makes the rest positional', bind, ['--', F, '-Chat-'], { values: { Fqdn: F, DisplayName: '-Chat-' } });
test('a value parameter takes the next token verbatim, even with a dash', bind, ['-DisplayName', '-Chat'], { values: { DisplayName: '-Chat' } });

// ---- values ---------------------------------------------------------------------
test('missing value at the end', bind, ['-Fqdn'], { error: 'MissingArgument', mentions: ['Fqdn'] });
test('a value followed by a parameter name is missing (sh dropped an empty $VAR)', bind, ['-DisplayName', '-WhatIf', '-Fqdn', F], { error: 'MissingArgument', mentions: ['DisplayName'] });
test('a value followed by a parameter name in kebab form or with a value is missing', bind, ['-Fqdn', F, '-DisplayName', '--port=5'], { error: 'MissingArgument', mentions: ['DisplayName'] });
test('a value followed by a parameter alias is missing', bind, ['-Fqdn', F, '-DisplayName', '-computername'], { error: 'MissingArgument', mentions: ['DisplayName'] });
test('duplicate parameter', bind, ['-Fqdn', F, '-fqdn', 'other.contoso.com'], { error: 'ParameterAlreadyBound', mentions: ['Fqdn'] });
test('duplicate through a prefix', bind, ['-Port', '1', '-Po', '2'], { error: 'ParameterAlreadyBound', mentions: ['Port'] });
test('pattern validation names the parameter', bind, ['-Fqdn', 'bad_name'], { error: 'ParameterArgumentValidationError', mentions: ['Fqdn', 'bad_name', 'fully qualified domain name'] });
test('enum is case-insensitive and canonicalised', bind, ['-Edition', 'sTaNdArD'], { values: { Edition: 'Standard' } });
test('enum error lists the allowed values', bind, ['-Edition', 'Express'], { error: 'ParameterArgumentValidationError', mentions: ['Express', 'Enterprise', 'Standard'] });
test('common enum canonicalised', bind, ['-ErrorAction', 'silentlycontinue', '-OutputFormat', 'json'], { values: { ErrorAction: 'SilentlyContinue', OutputFormat: 'Json' } });
test('int converted to a number', bind, ['-Port', '5041'], { values: { Port: 5041 } });
test('int not a number', bind, ['-Port', '50x'], { error: 'ParameterArgumentValidationError', mentions: ['50x', 'integer'] });
test('int below the range', bind, ['-Port', '0'], { error: 'ParameterArgumentValidationError', mentions: ['0', '1 to 65535'] });
test('int above the range', bind, ['-Port:70000'], { error: 'ParameterArgumentValidationError', mentions: ['70000', '1 to 65535'] });
test('negative number as a value', bind, ['-Offset', '-5'], { values: { Offset: -5 } });
test('negative number inline', bind, ['-Offset:-100'], { values: { Offset: -100 } });
test('a negative number is not a parameter name', bind, ['-Port', '-1'], { error: 'ParameterArgumentValidationError', mentions: ['-1', '1 to 65535'] });

// Control characters: refused in any value, and never echoed raw (an escape sequence would act on the terminal).
test('an escape sequence in a name', bind, ['-Fqdn', F, '-DisplayName', 'a\x1b[31mred'], { error: 'ParameterArgumentValidationError', mentions: ['DisplayName', 'a\\u001B[31mred', 'control character'] });
test('a line break in a name', bind, ['-Fqdn', F, 'two\nlines'], { error: 'ParameterArgumentValidationError', mentions: ['DisplayName', 'two\\u000Alines'] });
test('a tab inline', bind, ['-Fqdn', F, '-DisplayName:a\tb'], { error: 'ParameterArgumentValidationError', mentions: ['DisplayName', 'a\\u0009b'] });
test('a C1 control character (CSI) in a list item', bind, ['-Fqdn', F, '-Computer', 'a.contoso.com,b\u009b2J.contoso.com'], { error: 'ParameterArgumentValidationError', mentions: ['Computer', '\\u009B'] });
test('a control character in an enum value is not echoed raw', bind, ['-Edition', 'Standard\x1b[2J'], { error: 'ParameterArgumentValidationError', mentions: ['Edition', 'Standard\\u001B[2J'] });
test('a control character in a surplus positional value is not echoed raw', bind, [F, 'x', '\x1b[2J'], { error: 'PositionalParameterNotFound', mentions: ['\\u001B[2J'] });
test('printable text, spaces and non-ASCII letters are fine', bind, ['-Fqdn', F, '-DisplayName', 'Zürich chat – 東京'], { values: { Fqdn: F, DisplayName: 'Zürich chat – 東京' } });

test('-? and --help ask for help and bind nothing else', (t) => {
  for (const h of ['-?', '--help', '-Help']) {
    const r = bindArguments(def, ['-Fqdn', F, h]);
    t.true(r.help, h);
  }
  t.false(bindArguments(def, ['-Fqdn', F]).help);
});

test('-WhatIf is not a parameter of a command that changes nothing', (t) => {
  const readOnly: CmdletDefinition = { ...def, supportsShouldProcess: false };
  const e = t.throws(() => bindArguments(readOnly, ['-WhatIf']), { instanceOf: ErrorRecord }) as ErrorRecord;
  t.is(e.errorId, 'NamedParameterNotFound');
  t.true(bindArguments(def, ['-Force']).values.Force === true, 'a ShouldProcess command gets -Force');
});

// ---- mandatory and parameter sets (after argv and pipeline binding) ---------------------
const sets: CmdletDefinition = {
  ...def,
  name: 'New-Store',
  parameters: [
    { name: 'FileServerFqdn', type: 'string', mandatory: true, parameterSets: ['Share'], help: 'h' },
    { name: 'FileShare', type: 'string', mandatory: true, parameterSets: ['Share'], help: 'h' },
    { name: 'Path', type: 'string', mandatory: true, parameterSets: ['Local'], help: 'h' },
    { name: 'Identity', type: 'string', valueFromPipelineByPropertyName: true, pipelineProperties: ['Fqdn'], help: 'h' },
  ],
  parameterSets: [{ name: 'Share' }, { name: 'Local' }],
};

function mandatory(argv: string[]): string | undefined {
  const r = bindArguments(sets, argv);
  return checkMandatory(sets, r.values, r.bound);
}

test('checkMandatory picks the set whose parameters were given', (t) => {
  t.is(mandatory(['-Path', 'D:\\x']), 'Local');
  t.is(mandatory(['-FileServerFqdn', 'fs.contoso.com', '-FileShare', 'x']), 'Share');
});

test('checkMandatory names the missing mandatory parameter of the chosen set', (t) => {
  const e = t.throws(() => mandatory(['-FileServerFqdn', 'fs.contoso.com']), { instanceOf: ErrorRecord }) as ErrorRecord;
  t.is(e.errorId, 'MissingMandatoryParameter');
  t.is(e.exitCode, ExitCode.Usage);
  t.regex(e.message, /FileShare/);
  t.notRegex(e.message, /Path/, 'a parameter of another set is not asked for');
});

test('checkMandatory with nothing given asks for the first set', (t) => {
  const e = t.throws(() => mandatory([]), { instanceOf: ErrorRecord }) as ErrorRecord;
  t.regex(e.message, /FileServerFqdn/);
});

test('checkMandatory refuses parameters of two sets together', (t) => {
  const e = t.throws(() => mandatory(['-Path', 'D:\\x', '-FileShare', 'x']), { instanceOf: ErrorRecord }) as ErrorRecord;
  t.is(e.errorId, 'AmbiguousParameterSet');
  t.is(e.exitCode, ExitCode.Usage);
  t.regex(e.message, /-Path/);
  t.regex(e.message, /-FileShare/);
});

test('a missing mandatory pipeline parameter mentions the property that binds it', (t) => {
  const d: CmdletDefinition = { ...sets, parameterSets: undefined, parameters: [{ ...sets.parameters[3]!, mandatory: true }] };
  const e = t.throws(() => checkMandatory(d, {}, new Set()), { instanceOf: ErrorRecord }) as ErrorRecord;
  t.regex(e.message, /Identity/);
  t.regex(e.recommendedAction, /Fqdn/);
});

// ---- pipeline binding by property name --------------------------------------------
const piped: CmdletDefinition = {
  ...def,
  name: 'Set-Thing',
  parameters: [
    { name: 'Identity', type: 'string', mandatory: true, position: 0, ...FQDN, valueFromPipelineByPropertyName: true, pipelineProperties: ['Fqdn'], help: 'h' },
    { name: 'Port', type: 'int', ...PORT, valueFromPipelineByPropertyName: true, help: 'h' },
    { name: 'Computer', type: 'string[]', valueFromPipelineByPropertyName: true, help: 'h' },
    { name: 'DisplayName', type: 'string', help: 'h' },
  ],
};

test('pipeline: Fqdn binds Identity (pipelineProperties), case-insensitively', (t) => {
  for (const key of ['Fqdn', 'fqdn', 'FQDN']) {
    const r = bindPipelineObject(piped, { [key]: F }, new Set());
    t.deepEqual(r.values, { Identity: F }, key);
    t.deepEqual([...r.bound], ['Identity']);
  }
});

test('pipeline: the parameter name itself binds, and values are converted', (t) => {
  const r = bindPipelineObject(piped, { identity: F, PORT: '5042', computer: ['a', 'b'] }, new Set());
  t.deepEqual(r.values, { Identity: F, Port: 5042, Computer: ['a', 'b'] });
});

test('pipeline: only parameters that accept pipeline input bind', (t) => {
  const r = bindPipelineObject(piped, { Fqdn: F, DisplayName: 'from the pipe', Site: 'Redmond' }, new Set());
  t.deepEqual(r.values, { Identity: F });
});

test('pipeline: a parameter given on the command line is not overridden', (t) => {
  const r = bindPipelineObject(piped, { Fqdn: F, Port: 1 }, new Set(['Port']));
  t.deepEqual(r.values, { Identity: F });
});

test('pipeline: empty and null properties do not bind', (t) => {
  t.deepEqual(bindPipelineObject(piped, { Fqdn: '', Port: null }, new Set()).values, {});
});

test('pipeline: a piped value is validated like a typed one', (t) => {
  const e = t.throws(() => bindPipelineObject(piped, { Fqdn: 'not a host' }, new Set()), { instanceOf: ErrorRecord }) as ErrorRecord;
  t.is(e.errorId, 'ParameterArgumentValidationError');
  t.regex(e.message, /Identity/);
  const range = t.throws(() => bindPipelineObject(piped, { Fqdn: F, Port: 0 }, new Set()), { instanceOf: ErrorRecord }) as ErrorRecord;
  t.regex(range.message, /Port/);
});

test('pipeline: a piped value with a control character is refused like a typed one', (t) => {
  const e = t.throws(() => bindPipelineObject(piped, { Fqdn: F, Computer: ['a.contoso.com', 'b\r.contoso.com'] }, new Set()), { instanceOf: ErrorRecord }) as ErrorRecord;
  t.is(e.exitCode, ExitCode.Usage);
  t.regex(e.message, /parameter 'Computer'.*'b\\u000D\.contoso\.com' contains a control character/);
  t.false(/[\x00-\x1f]/.test(e.message), 'the message itself holds no control character');
});

test('pipeline: an object bound from the pipe satisfies a mandatory parameter', (t) => {
  const r = bindPipelineObject(piped, { Fqdn: F }, new Set());
  t.notThrows(() => checkMandatory(piped, r.values, r.bound));
  t.throws(() => checkMandatory(piped, {}, new Set()), { message: /Identity/ });
});

// ---- reading piped input ----------------------------------------------------------
test('readPipelineInput: JSON lines, blank lines and CRLF', (t) => {
  t.deepEqual(readPipelineInput('{"Fqdn":"a.contoso.com"}\r\n\n{"Fqdn":"b.contoso.com","Port":1}\n'), [{ Fqdn: 'a.contoso.com' }, { Fqdn: 'b.contoso.com', Port: 1 }]);
});

test('readPipelineInput: a JSON array', (t) => {
  t.deepEqual(readPipelineInput(' [{"Fqdn":"a.contoso.com"},\n {"Fqdn":"b.contoso.com"}]\n'), [{ Fqdn: 'a.contoso.com' }, { Fqdn: 'b.contoso.com' }]);
});

test('readPipelineInput: nothing piped is no objects', (t) => {
  t.deepEqual(readPipelineInput(''), []);
  t.deepEqual(readPipelineInput('\n\n'), []);
});

test('readPipelineInput: bad JSON names the line and is a usage error', (t) => {
  const e = t.throws(() => readPipelineInput('{"Fqdn":"a.contoso.com"}\nFqdn : b.contoso.com\n'), { instanceOf: ErrorRecord }) as ErrorRecord;
  t.is(e.errorId, 'PipelineInputNotJson');
  t.is(e.exitCode, ExitCode.Usage);
  t.is(e.target, 'stdin line 2');
  t.regex(e.message, /Fqdn : b\.contoso\.com/);
});

test('readPipelineInput: a truncated JSON array is refused', (t) => {
  const e = t.throws(() => readPipelineInput('[{"Fqdn":"a.contoso.com"},'), { instanceOf: ErrorRecord }) as ErrorRecord;
  t.is(e.errorId, 'PipelineInputNotJson');
});

test('readPipelineInput: a line that is not an object is refused', (t) => {
  for (const text of ['"a.contoso.com"\n', '42\n', '[1,2]\n', '{"Fqdn":"a.contoso.com"}\n["x"]\n']) {
    const e = t.throws(() => readPipelineInput(text), { instanceOf: ErrorRecord }) as ErrorRecord;
    t.is(e.errorId, 'PipelineInputNotObject', text);
  }
});
