import { Lazy } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import {
  DatabaseEngine, defaultMaxConnections, ENGINE_RESERVED_WORDS, EngineProps, ENGINES, knownEngineVersions, newestFirst,
  validateEngineProps, warnOfLongMasterUsername, warnOfUnknownVersion,
} from '../../src/building-blocks/sql-database/engines';
import { PropValidator } from '../../src/core/prop-validator';
import { newStack } from '../support/app';

const GIB = 1024 ** 3;

/** The settings and errors validateEngineProps gives for an engine's props. */
function validate(engine: DatabaseEngine, props: EngineProps) {
  const validator = new PropValidator("RelationalDatabase 'Database'");
  const settings = validateEngineProps(validator, props, engine, ENGINES[engine]);
  try {
    validator.throwIfInvalid();
    return { settings, errors: [] as string[] };
  } catch (e) {
    return { settings, errors: (e as Error).message.split('\n').slice(1).map((line) => line.replace(/^ {2}- /, '')) };
  }
}

describe('engine versions', () => {
  test.each([
    [DatabaseEngine.POSTGRES, '13', '13'],
    [DatabaseEngine.POSTGRES, '18', '18'],
    [DatabaseEngine.POSTGRES, '17.4', '17'],
    [DatabaseEngine.MYSQL, '8.0.40', '8.0'],
    [DatabaseEngine.MYSQL, '8.4.8', '8.4'],
  ])('%s %s is valid, of major version %s', (engine, engineVersion, major) => {
    expect(validate(engine, { engineVersion })).toEqual({ settings: expect.objectContaining({ version: engineVersion, major }), errors: [] });
  });

  test.each([
    [DatabaseEngine.POSTGRES, '12', "a PostgreSQL version from 13 to 18, such as '17' or '17.4'"],
    [DatabaseEngine.POSTGRES, '19', "a PostgreSQL version from 13 to 18, such as '17' or '17.4'"],
    [DatabaseEngine.POSTGRES, '17.4.1', "a PostgreSQL version from 13 to 18, such as '17' or '17.4'"],
    [DatabaseEngine.MYSQL, '8.4', "a full MySQL 8.0 or 8.4 version, such as '8.4.8'"],
    [DatabaseEngine.MYSQL, '5.7.44', "a full MySQL 8.0 or 8.4 version, such as '8.4.8'"],
  ])('%s %s is refused, naming the versions allowed', (engine, engineVersion, allowed) => {
    const { settings, errors } = validate(engine, { engineVersion });
    expect(errors).toEqual([`engineVersion is '${engineVersion}'; it must be ${allowed}.`]);
    expect(settings.major).toBe('');
  });

  test("each engine's default version is one it accepts", () => {
    for (const engine of Object.values(DatabaseEngine)) {
      expect(validate(engine, {}).errors).toEqual([]);
    }
  });

  test('a version from a token is refused: the major version names the parameter group family', () => {
    const { errors } = validate(DatabaseEngine.POSTGRES, { engineVersion: Lazy.string({ produce: () => '17' }) });
    expect(errors).toEqual([expect.stringMatching(/^engineVersion is a token, only known at deploy time; .*parameter group's family/)]);
  });

  test('the versions the installed aws-cdk-lib knows are full numeric ones, without duplicates', () => {
    const postgres = knownEngineVersions(DatabaseEngine.POSTGRES);
    expect(postgres).toEqual(expect.arrayContaining(['17.4', '16.8']));
    expect(knownEngineVersions(DatabaseEngine.MYSQL)).toEqual(expect.arrayContaining(['8.4.8', '8.0.40']));
    expect(postgres.every((v) => /^\d+(\.\d+)*$/.test(v))).toBe(true);
    expect(new Set(postgres).size).toBe(postgres.length);
  });

  test('newestFirst orders dotted versions by number, not as text', () => {
    expect(['8.4.8', '8.4.10', '8.4', '8.4.9'].sort(newestFirst)).toEqual(['8.4.10', '8.4.9', '8.4.8', '8.4']);
  });
});

describe('the unknown engine version warning', () => {
  function warningsFor(engine: DatabaseEngine, version: string, major: string) {
    const stack = newStack();
    warnOfUnknownVersion(new Construct(stack, 'Database'), engine, version, major);
    return Annotations.fromStack(stack).findWarning('*', Match.anyValue());
  }

  test('a version aws-cdk-lib knows raises none', () => {
    expect(warningsFor(DatabaseEngine.POSTGRES, '17.4', '17')).toHaveLength(0);
  });

  test("a well-formed version it does not know is a warning naming the same major's newest versions", () => {
    const warnings = warningsFor(DatabaseEngine.POSTGRES, '17.99', '17');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toMatch(/^engineVersion is '17\.99', which aws-cdk-lib [\d.]+ does not know as a PostgreSQL version RDS offers \(its newest PostgreSQL 17 versions are 17\.\d+, /);
    expect(warnings[0].entry.data).toContain('[ack: cdk-best-practice-patterns:unknownEngineVersion]');
  });

  test('a major it knows no version of says so', () => {
    expect(warningsFor(DatabaseEngine.MYSQL, '8.9.1', '8.9')[0].entry.data).toContain('it knows no MySQL 8.9 version');
  });
});

describe('database and master user names', () => {
  test.each([
    [DatabaseEngine.POSTGRES, 'select'],
    [DatabaseEngine.POSTGRES, 'Table'],
    [DatabaseEngine.MYSQL, 'order'],
    [DatabaseEngine.MYSQL, 'DATABASE'],
  ])('%s refuses the reserved word %s as a database name, in any case', (engine, databaseName) => {
    expect(validate(engine, { databaseName }).errors).toEqual([
      `databaseName is '${databaseName}'; it must be a name that is not a word ${engine} reserves, which RDS refuses as a database name.`,
    ]);
  });

  test.each([
    [DatabaseEngine.POSTGRES, 'user'],
    [DatabaseEngine.MYSQL, 'select'],
  ])('%s refuses the reserved word %s as a master user name', (engine, masterUsername) => {
    expect(validate(engine, { masterUsername }).errors).toEqual([
      `masterUsername is '${masterUsername}'; it must be a name that is not a word ${engine} reserves, which RDS refuses as a master user name.`,
    ]);
  });

  test('a word reserved by one engine only is a valid name on the other', () => {
    expect(ENGINE_RESERVED_WORDS[DatabaseEngine.MYSQL].has('database')).toBe(true);
    expect(ENGINE_RESERVED_WORDS[DatabaseEngine.POSTGRES].has('database')).toBe(false);
    expect(validate(DatabaseEngine.POSTGRES, { databaseName: 'database' }).errors).toEqual([]);
    expect(validate(DatabaseEngine.POSTGRES, { masterUsername: 'user' }).errors).toHaveLength(1);
    expect(validate(DatabaseEngine.MYSQL, { masterUsername: 'user' }).errors).toEqual([]);
  });

  test('RDS reserves rdsadmin on every engine and admin on PostgreSQL, which is MySQL\'s default', () => {
    expect(validate(DatabaseEngine.POSTGRES, { masterUsername: 'Admin' }).errors).toEqual([
      "masterUsername is 'Admin'; it must be a name other than rdsadmin and admin, which RDS reserves on postgres.",
    ]);
    expect(validate(DatabaseEngine.MYSQL, { masterUsername: 'rdsadmin' }).errors).toEqual([
      "masterUsername is 'rdsadmin'; it must be a name other than rdsadmin, which RDS reserves on mysql.",
    ]);
    expect(validate(DatabaseEngine.MYSQL, {}).settings.username).toBe('admin');
    expect(validate(DatabaseEngine.MYSQL, {}).errors).toEqual([]);
  });

  test.each([
    [DatabaseEngine.POSTGRES, 'databaseName', 63],
    [DatabaseEngine.MYSQL, 'databaseName', 64],
    [DatabaseEngine.POSTGRES, 'masterUsername', 63],
    [DatabaseEngine.MYSQL, 'masterUsername', 32],
  ])('%s takes a %s of at most %d characters', (engine, prop, max) => {
    const longest = `a${'b'.repeat(max - 1)}`;
    expect(validate(engine, { [prop]: longest }).errors).toEqual([]);
    expect(validate(engine, { [prop]: `${longest}c` }).errors).toEqual([
      `${prop} is '${longest}c'; it must be a letter, then letters, digits or underscores, at most ${max} characters for ${engine}.`,
    ]);
  });

  test.each(['1orders', 'order-items', '_orders', ''])('%j does not start with a letter or holds other characters', (databaseName) => {
    expect(validate(DatabaseEngine.POSTGRES, { databaseName }).errors).toEqual([
      `databaseName is '${databaseName}'; it must be a letter, then letters, digits or underscores, at most 63 characters for postgres.`,
    ]);
  });

  test('names from tokens are only known at deploy time and are not checked', () => {
    const token = Lazy.string({ produce: () => 'select' });
    expect(validate(DatabaseEngine.POSTGRES, { databaseName: token, masterUsername: token }).errors).toEqual([]);
  });

  test('a master user name over the documented 16 characters is a warning naming both limits', () => {
    const stack = newStack();
    warnOfLongMasterUsername(new Construct(stack, 'Database'), DatabaseEngine.MYSQL, 'a_seventeen_chars');
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue());
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toMatch(/^masterUsername is 'a_seventeen_chars', 17 characters: RDS's API reference documents 1 to 16 for every engine, though mysql itself allows up to 32\./);
    expect(warnings[0].entry.data).toContain('[ack: cdk-best-practice-patterns:longMasterUsername]');
  });
});

describe('defaultMaxConnections', () => {
  test("PostgreSQL's is DBInstanceClassMemory (75% of the memory) over 9,531,392 bytes", () => {
    // db.m7g.large: 8 GiB.
    expect(defaultMaxConnections(ENGINES[DatabaseEngine.POSTGRES], 8 * GIB)).toBe(675);
  });

  test("PostgreSQL's is capped at 5,000; MySQL's is not", () => {
    expect(defaultMaxConnections(ENGINES[DatabaseEngine.POSTGRES], 512 * GIB)).toBe(5000);
    expect(defaultMaxConnections(ENGINES[DatabaseEngine.MYSQL], 512 * GIB)).toBe(32768);
  });

  test('an unknown memory size gives 125', () => {
    expect(defaultMaxConnections(ENGINES[DatabaseEngine.MYSQL], undefined)).toBe(125);
  });
});
