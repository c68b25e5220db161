import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeNagFinding, acknowledgeNagRule, COMPLIANCE_PACKS } from './nag';

/**
 * What an access log bucket is for.
 */
export interface AccessLogBucketOptions {
  /** PROD keeps logs a year and the bucket with the stack; DEV keeps them 30 days and destroys it. */
  readonly production: boolean;
  /**
   * Who owns the log objects: BUCKET_OWNER_ENFORCED (no ACLs) unless a log delivery writes with
   * ACLs, as CloudFront's standard logging does.
   */
  readonly objectOwnership: s3.ObjectOwnership;
  /** Why the logs are encrypted with S3-managed keys rather than a customer key: which delivery needs it. */
  readonly sseS3Reason: string;
}

/**
 * A bucket for access logs (of a load balancer, a distribution, another bucket): S3-managed
 * encryption, which every AWS log delivery to S3 accepts, TLS-only, all public access blocked,
 * versioned, logs expiring after a year in PROD and 30 days in DEV.
 */
export function createAccessLogBucket(scope: Construct, id: string, options: AccessLogBucketOptions): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: options.objectOwnership,
    versioned: true,
    lifecycleRules: [{
      expiration: options.production ? Duration.days(365) : Duration.days(30),
      noncurrentVersionExpiration: Duration.days(30),
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    }],
    removalPolicy: options.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    autoDeleteObjects: !options.production,
  });
  const loggingReason = 'This bucket holds access logs; logging access to it would need yet another bucket whose own access would go unlogged.';
  acknowledgeNagFinding(bucket, 'AwsSolutions-S1', loggingReason);
  acknowledgeNagRule(bucket, COMPLIANCE_PACKS, 'S3BucketLoggingEnabled', loggingReason);
  acknowledgeNagRule(bucket, COMPLIANCE_PACKS, 'S3DefaultEncryptionKMS', options.sseS3Reason);
  acknowledgeNagRule(bucket, COMPLIANCE_PACKS, 'S3BucketReplicationEnabled',
    'Access logs stay in their region, versioned and retained in PROD; replicating them needs a bucket in another region, outside this stack.');
  return bucket;
}
