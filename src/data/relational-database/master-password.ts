import { Fn, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

/**
 * Who keeps the master user's password, and how it is rotated.
 */
export enum MasterPassword {
  /**
   * RDS generates the password, keeps it in a Secrets Manager secret encrypted with the
   * database's key and rotates it every 7 days itself: no rotation function, no network path to
   * Secrets Manager. RDS cannot create read replicas of such a database.
   */
  MANAGED_BY_RDS = 'managed-by-rds',
  /**
   * A generated secret encrypted with the database's key, rotated on `rotationInterval` by
   * Secrets Manager's single-user rotation function, which runs in the isolated subnets and
   * reaches Secrets Manager through an interface endpoint.
   */
  ROTATED_SECRET = 'rotated-secret',
}

/**
 * The Secrets Manager URL the rotation function calls, by the endpoint's own DNS name. Each of an
 * endpoint's DnsEntries (`<hosted zone id>:<name>`) names it and resolves to it: the Regional name
 * first, then one per Availability Zone, then the private DNS name where that is on. An imported
 * endpoint has no DnsEntries to read: Secrets Manager's standard name, which resolves to the
 * endpoint when its private DNS is on.
 */
export function secretsManagerUrl(scope: Construct, endpoint: ec2.IInterfaceVpcEndpoint): string {
  const stack = Stack.of(scope);
  const standard = `https://secretsmanager.${stack.region}.${stack.urlSuffix}`;
  if (!(endpoint instanceof ec2.InterfaceVpcEndpoint)) {
    return standard;
  }
  // An endpoint of another stack with private DNS on (MultiAzVpc's are) answers to the standard
  // name: reading its DnsEntries would make a list a cross-stack reference, which a new project's
  // weak references render as Fn::Split over Fn::GetStackOutput (cfn-lint E1022).
  const privateDns = (endpoint.node.defaultChild as ec2.CfnVPCEndpoint).privateDnsEnabled;
  if (Stack.of(endpoint) !== stack && privateDns === true) {
    return standard;
  }
  return `https://${Fn.select(1, Fn.split(':', Fn.select(0, endpoint.vpcEndpointDnsEntries)))}`;
}

/** The Secrets Manager interface endpoint this app created in the VPC, if any. */
export function findSecretsManagerEndpoint(vpc: ec2.IVpc): ec2.InterfaceVpcEndpoint | undefined {
  const region = Stack.of(vpc).region;
  const serviceName = ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER.name;
  return vpc.node.findAll().find((c): c is ec2.InterfaceVpcEndpoint => {
    if (!(c instanceof ec2.InterfaceVpcEndpoint)) {
      return false;
    }
    const name = Stack.of(c).resolve((c.node.defaultChild as ec2.CfnVPCEndpoint).serviceName);
    return JSON.stringify(name) === JSON.stringify(Stack.of(c).resolve(serviceName)) || name === `com.amazonaws.${region}.secretsmanager`;
  });
}
