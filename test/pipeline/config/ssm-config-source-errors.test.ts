import { GetParametersByPathCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { SsmConfigSource } from '../../../pipeline/config/ssm-config-source.js';
import { ConfigError, ConnectionError, ThrottledError } from '../../../pipeline/errors.js';
import { client, failure, ssm, useMockedSsm } from './ssm-config-source-support.js';

useMockedSsm();

describe('SsmConfigSource', () => {
  describe('turns SSM errors into typed errors', () => {
    function sdkError(name: string): Error {
      return Object.assign(new Error(`${name} from SSM`), { name, $metadata: { attempts: 3 } });
    }

    it('says which permissions are missing when access is denied', async () => {
      ssm.on(GetParametersByPathCommand).rejects(sdkError('AccessDeniedException'));
      const error = await failure(new SsmConfigSource({ client }));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).parameter).toBe('/opslake');
      expect(error.message).toContain('ssm:GetParametersByPath on parameter/opslake/* and kms:Decrypt');
      expect((error as ConfigError).retryable).toBe(false);
      expect((error as ConfigError).hint).toBe(
        'the role needs ssm:GetParametersByPath on parameter/opslake/* and kms:Decrypt on the key of its SecureStrings',
      );
      expect(error.cause).toBeDefined();
    });

    it('says which key to check when a SecureString cannot be decrypted', async () => {
      ssm.on(GetParametersByPathCommand).rejects(sdkError('InvalidKeyId'));
      const error = await failure(new SsmConfigSource({ client, rootPath: '/teams/opslake' }));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain('a SecureString under /teams/opslake is encrypted with a KMS key the role cannot use');
      expect((error as ConfigError).retryable).toBe(false);
    });

    it('reports throttling as retryable', async () => {
      ssm.on(GetParametersByPathCommand).rejects(sdkError('ThrottlingException'));
      const error = await failure(new SsmConfigSource({ client }));
      expect(error).toBeInstanceOf(ThrottledError);
      expect(error.message).toContain('throttled 3 times');
      expect((error as ThrottledError).retryable).toBe(true);
    });

    it('reports a fault on the service side as a retryable connection error with its cause', async () => {
      const cause = sdkError('InternalServerError');
      ssm.on(GetParametersByPathCommand).rejects(cause);
      const error = await failure(new SsmConfigSource({ client }));
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as ConnectionError).retryable).toBe(true);
      expect(error.cause).toBe(cause);
      expect(error.message).toContain('InternalServerError');
    });

    it('reports a request SSM refuses as a configuration error, not to be retried', async () => {
      ssm.on(GetParametersByPathCommand).rejects(sdkError('ValidationException'));
      const error = await failure(new SsmConfigSource({ client }));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).retryable).toBe(false);
      expect(error.message).toContain('ValidationException from SSM; check the configuration root path /opslake (OPSLAKE_CONFIG_ROOT');
    });
  });
});
