import { Resource, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { Construct } from 'constructs';

/** An ACM certificate's ARN; its first group is the region. */
export const ACM_CERTIFICATE_ARN = /^arn:[a-z-]+:acm:([a-z0-9-]+):\d{12}:certificate\/.+$/;

/**
 * What synth can know of where a certificate lives, for the patterns that must check its region
 * (ACM certificates are regional: https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html).
 */
export interface CertificateLocation {
  /** The certificate's ARN, when it is a literal (an imported certificate's, say). */
  readonly literalArn?: string;
  /** Its region: from a literal ACM ARN, else from the stack of a certificate the app creates. */
  readonly region?: string;
  /** How an error names it: the ARN, or the certificate's path and stack. */
  readonly where?: string;
}

/**
 * Where `certificate` lives: its region comes from its ARN when that is a literal, else from the
 * stack of a certificate the app creates (an imported one's stack says nothing of where it lives).
 * A literal ARN that is not an ACM certificate's has no region: the caller decides what it allows.
 * The region may be a token (an env-agnostic stack's).
 */
export function certificateLocation(certificate: acm.ICertificate): CertificateLocation {
  const arn = certificate.certificateArn;
  if (typeof arn === 'string' && !Token.isUnresolved(arn)) {
    return { literalArn: arn, region: ACM_CERTIFICATE_ARN.exec(arn)?.[1], where: arn };
  }
  if (Construct.isConstruct(certificate) && Resource.isOwnedResource(certificate)) {
    const stack = Stack.of(certificate);
    return { region: stack.region, where: `${certificate.node.path}, a certificate of stack ${stack.stackName}` };
  }
  return {};
}
