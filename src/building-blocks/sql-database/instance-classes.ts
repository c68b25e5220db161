import { Annotations, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { PropValidator } from '../../core/prop-validator';

/**
 * aws-cdk-lib writes the DB instance class as `db.` and the instance type, so a type that already
 * starts with `db.` becomes `db.db.…`, a class RDS does not have; and every RDS class is a family
 * and a size (`m7g.large`). Those are errors. Whether RDS offers a well-formed class is looked up in
 * RDS_INSTANCE_CLASSES by the caller, after validation, and is a warning only.
 *
 * @returns whether the class is one RDS_INSTANCE_CLASSES knows (true for a token: nothing to say)
 */
export function validateInstanceType(validator: PropValidator, instanceType: ec2.InstanceType,
  classes: Record<string, readonly string[]> = RDS_INSTANCE_CLASSES): boolean {
  const instanceClass = instanceType.toString();
  if (Token.isUnresolved(instanceClass)) {
    return true;
  }
  if (instanceClass.startsWith('db.')) {
    validator.check(false, 'instanceType', instanceClass,
      `the class without the db. prefix, which RDS adds (this renders as 'db.${instanceClass}'): `
      + `new ec2.InstanceType('${instanceClass.slice(3)}'), or ec2.InstanceType.of(...)`);
    return true;
  }
  const parts = /^([a-z][a-z0-9-]*)\.([a-z0-9-]+)$/.exec(instanceClass);
  validator.check(parts !== null, 'instanceType', instanceClass, "an instance family and size, such as 'm7g.large' or 't4g.micro'");
  return parts === null || (classes[parts[1]]?.includes(parts[2]) ?? false);
}

/**
 * The DB instance classes RDS offers for PostgreSQL and MySQL (the same for both), by family: the
 * union over all Regions of cfn-lint 1.51.0's `dbinstanceclass_enum.json` for the engines
 * `postgres` and `mysql`, which cfn-lint builds from the AWS Price List API, less the
 * first-generation families m1, m2, m3, r3 and t1, still priced but no class for a new database
 * (they are warned of too). A class missing here is a warning, not an error: RDS adds families
 * more often than this list is updated, a class can be offered in some Regions only, and whether
 * RDS offers it for the engine version and Region is not checked.
 */
export const RDS_INSTANCE_CLASSES: Record<string, readonly string[]> = (() => {
  const graviton = 'large xlarge 2xlarge 4xlarge 8xlarge 12xlarge 16xlarge';
  const intel5 = `${graviton} 24xlarge`;
  const groups: Array<[string, string]> = [
    ['t2 t3 t4g', 'micro small medium large xlarge 2xlarge'],
    ['m4', 'large xlarge 2xlarge 4xlarge 10xlarge 16xlarge'],
    ['r4', 'large xlarge 2xlarge 4xlarge 8xlarge 16xlarge'],
    ['m5 m5d r5 r5b r5d', intel5],
    ['m6g m6gd r6g r6gd m7g r7g x2g', graviton],
    ['m6i m6id m6idn m6in r6i r6id r6idn r6in', `${intel5} 32xlarge`],
    ['m7i r7i m8g m8gd r8g r8gd', `${intel5} 48xlarge`],
    ['x2idn', '16xlarge 24xlarge 32xlarge'],
    ['x2iedn', 'xlarge 2xlarge 4xlarge 8xlarge 16xlarge 24xlarge 32xlarge'],
  ];
  const classes: Record<string, readonly string[]> = {};
  for (const [families, sizes] of groups) {
    for (const family of families.split(' ')) {
      classes[family] = sizes.split(' ');
    }
  }
  return classes;
})();

/** The id of the warning for an instance class RDS_INSTANCE_CLASSES does not know. */
export const UNKNOWN_INSTANCE_CLASS_WARNING = 'cdk-best-practice-patterns:unknownInstanceClass';

/**
 * Warns that `instanceType` is a class the pattern does not know RDS to offer for PostgreSQL and
 * MySQL, naming the sizes of its family or the families it knows.
 */
export function warnOfUnknownInstanceClass(scope: Construct, instanceType: ec2.InstanceType,
  classes: Record<string, readonly string[]> = RDS_INSTANCE_CLASSES, engines = 'PostgreSQL and MySQL'): void {
  const [family] = instanceType.toString().split('.');
  const known = classes[family];
  const hint = known
    ? `RDS offers db.${family} in the sizes ${known.join(', ')}`
    : `the families it knows RDS to offer are ${Object.keys(classes).join(', ')}`;
  Annotations.of(scope).addWarningV2(UNKNOWN_INSTANCE_CLASS_WARNING,
    `instanceType is '${instanceType}', which the pattern does not know as a DB instance class RDS offers for ${engines} (${hint}). `
    + 'If RDS does not offer it, CloudFormation fails at deploy time. If RDS has added it, acknowledge this warning.');
}

/** The memory of the instance classes whose size says it, in bytes; undefined for the others. */
export function instanceMemoryBytes(instanceType: ec2.InstanceType): number | undefined {
  const [family, size] = instanceType.toString().split('.');
  const burstable: Record<string, number> = { 'nano': 0.5, 'micro': 1, 'small': 2, 'medium': 4, 'large': 8, 'xlarge': 16, '2xlarge': 32 };
  const multiplier = size === 'large' ? 1 : size === 'xlarge' ? 2 : /^\d+xlarge$/.test(size) ? 2 * parseInt(size, 10) : undefined;
  let gib: number | undefined;
  if (/^t\d/.test(family)) {
    gib = burstable[size];
  } else if (/^m\d/.test(family) && multiplier) {
    gib = 8 * multiplier;
  } else if (/^r\d/.test(family) && multiplier) {
    gib = 16 * multiplier;
  }
  return gib === undefined ? undefined : gib * 1024 ** 3;
}
