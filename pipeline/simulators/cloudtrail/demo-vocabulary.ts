/**
 * Pure data table: the user agents, buckets and table names the demo's callers use. Kept apart
 * from the builders so that they read as logic; the strings are copies of real CloudTrail
 * values, some longer than a line, so they are split where they would overflow.
 */

export const AGENTS = [
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79 exe/x86_64.amzn.2023 prompt/off command/s3.cp',
  'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.79 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython ' +
    'cfg/retry-mode#legacy Botocore/1.34.69',
  'aws-sdk-java/2.25.11 Linux/5.10.210 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. ' +
    'io/sync http/Apache cfg/retry-mode/standard',
  'aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.213 lang/js md/nodejs#20.11.1 api/redshift-data#3.540.0',
  'Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 ' +
    '(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.3 os/linux lang/go#1.21.8 md/GOOS#linux ' +
    'md/GOARCH#amd64 api/ec2#1.151.1',
] as const;

export const CONSOLE_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36';

export const BUCKETS = ['analytics-raw-data', 'etl-staging', 'finance-reports', 'ml-features'] as const;

export const TABLES = ['sales', 'events', 'customers', 'orders', 'sessions'] as const;
