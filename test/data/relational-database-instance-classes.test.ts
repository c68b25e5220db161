import { Lazy } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import {
  instanceMemoryBytes, RDS_INSTANCE_CLASSES, validateInstanceType, warnOfUnknownInstanceClass,
} from '../../src/building-blocks/sql-database/instance-classes';
import { PropValidator } from '../../src/core/prop-validator';
import { newStack } from '../support/app';

const GIB = 1024 ** 3;

/** Whether validateInstanceType knows the class, and the errors it records. */
function validate(instanceType: ec2.InstanceType) {
  const validator = new PropValidator("RelationalDatabase 'Database'");
  const known = validateInstanceType(validator, instanceType);
  try {
    validator.throwIfInvalid();
    return { known, errors: [] as string[] };
  } catch (e) {
    return { known, errors: (e as Error).message.split('\n').slice(1).map((line) => line.replace(/^ {2}- /, '')) };
  }
}

describe('validateInstanceType', () => {
  test.each(['m7g.large', 't4g.micro', 'r6i.32xlarge', 'm8g.48xlarge', 'x2iedn.xlarge'])('%s is a class RDS offers', (name) => {
    expect(validate(new ec2.InstanceType(name))).toEqual({ known: true, errors: [] });
  });

  test('ec2.InstanceType.of gives a known class', () => {
    expect(validate(ec2.InstanceType.of(ec2.InstanceClass.R7G, ec2.InstanceSize.XLARGE2))).toEqual({ known: true, errors: [] });
  });

  test.each([
    ['m7g.huge', 'a size the family does not have'],
    ['m99.large', 'a family the pattern does not know'],
    ['m1.small', 'a first-generation family'],
    ['t4g.nano', 'a size RDS does not offer for PostgreSQL and MySQL'],
  ])('%s is well-formed but unknown (%s): no error, for the caller to warn of', (name) => {
    expect(validate(new ec2.InstanceType(name))).toEqual({ known: false, errors: [] });
  });

  test('a class with the db. prefix is refused: aws-cdk-lib would render db.db.', () => {
    expect(validate(new ec2.InstanceType('db.m7g.large')).errors).toEqual([
      "instanceType is 'db.m7g.large'; it must be the class without the db. prefix, which RDS adds (this renders as 'db.db.m7g.large'): "
      + "new ec2.InstanceType('m7g.large'), or ec2.InstanceType.of(...).",
    ]);
  });

  test.each(['m7g', 'm7g.large.x', 'M7G.LARGE', '.large'])('%s is no family and size', (name) => {
    expect(validate(new ec2.InstanceType(name)).errors).toEqual([
      `instanceType is '${name}'; it must be an instance family and size, such as 'm7g.large' or 't4g.micro'.`,
    ]);
  });

  test('a class from a token is not checked', () => {
    expect(validate(new ec2.InstanceType(Lazy.string({ produce: () => 'db.nothing' })))).toEqual({ known: true, errors: [] });
  });

  test('the list leaves out the first-generation families RDS still prices', () => {
    for (const family of ['m1', 'm2', 'm3', 'r3', 't1']) {
      expect(RDS_INSTANCE_CLASSES[family]).toBeUndefined();
    }
  });
});

describe('the unknown instance class warning', () => {
  function warningFor(name: string): string {
    const stack = newStack();
    warnOfUnknownInstanceClass(new Construct(stack, 'Database'), new ec2.InstanceType(name));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue());
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toContain('[ack: cdk-best-practice-patterns:unknownInstanceClass]');
    return warnings[0].entry.data as string;
  }

  test("a family it knows names the family's sizes", () => {
    expect(warningFor('t4g.nano')).toContain(
      "instanceType is 't4g.nano', which the pattern does not know as a DB instance class RDS offers for PostgreSQL and MySQL "
      + '(RDS offers db.t4g in the sizes micro, small, medium, large, xlarge, 2xlarge).');
  });

  test('a family it does not know names the families it knows', () => {
    expect(warningFor('z9.large')).toMatch(/\(the families it knows RDS to offer are t2, t3, t4g, m4, .*, x2iedn\)/);
  });
});

describe('instanceMemoryBytes', () => {
  test.each([
    ['t4g.micro', 1],
    ['t3.medium', 4],
    ['t4g.2xlarge', 32],
    ['m7g.large', 8],
    ['m5.xlarge', 16],
    ['m6i.4xlarge', 64],
    ['r6g.large', 16],
    ['r7g.16xlarge', 512],
  ])('%s has %d GiB', (name, gib) => {
    expect(instanceMemoryBytes(new ec2.InstanceType(name))).toBe(gib * GIB);
  });

  test.each(['x2g.large', 'm5.metal', 't4g.4xlarge'])('%s has a memory its name does not tell', (name) => {
    expect(instanceMemoryBytes(new ec2.InstanceType(name))).toBeUndefined();
  });
});
