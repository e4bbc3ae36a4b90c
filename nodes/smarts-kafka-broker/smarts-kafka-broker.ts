import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ValueCodec } from '../../core/avro/codec';
import { RegistryClient } from '../../core/avro/registry';
import { createKafkaClient, type KafkaClient } from '../../core/kafka/client';
import { describeBrokerConfig, parseBrokerList, parseSaslMechanism, type BrokerConfig } from '../../core/kafka/config';
import type { KafkaLogger } from '../../core/kafka/types';
import type { KafkaBrokerNode } from '../shared/kafka-broker-api';

interface BrokerNodeDef extends NodeDef {
  brokers: string;
  clientId: string;
  tls: boolean;
  tlsVerify: boolean;
  tlsCa: string;
  tlsCert: string;
  saslMechanism: string;
  registryUrl: string;
  logLevel: 'error' | 'warn' | 'info' | 'debug';
}

interface BrokerCredentials {
  username?: string;
  password?: string;
  tlsKey?: string;
  tlsPassphrase?: string;
  registryUsername?: string;
  registryPassword?: string;
}

type BrokerNode = KafkaBrokerNode & Node<BrokerCredentials>;

export = function (RED: NodeAPI): void {
  function SmartsKafkaBroker(this: BrokerNode, def: BrokerNodeDef): void {
    RED.nodes.createNode(this, def);
    setUpBroker(this, def);
  }

  function setUpBroker(node: BrokerNode, def: BrokerNodeDef): void {
    const credentials: BrokerCredentials = node.credentials ?? {};
    let client: KafkaClient | undefined;
    let codec: ValueCodec | undefined;

    const logger: KafkaLogger = {
      error: (line) => node.error(line),
      warn: (line) => node.warn(line),
      info: (line) => node.log(line),
      debug: (line) => node.debug(line),
    };

    function brokerConfig(): BrokerConfig {
      const config: BrokerConfig = { brokers: parseBrokerList(def.brokers ?? ''), clientId: def.clientId || `stream-smarts-${node.id}` };
      if (def.tls) {
        config.tls = { verify: def.tlsVerify !== false };
        if (def.tlsCa) config.tls.ca = def.tlsCa;
        if (def.tlsCert) config.tls.cert = def.tlsCert;
        if (credentials.tlsKey) config.tls.key = credentials.tlsKey;
        if (credentials.tlsPassphrase) config.tls.passphrase = credentials.tlsPassphrase;
      }
      if (def.saslMechanism && def.saslMechanism !== 'none') {
        config.sasl = { mechanism: parseSaslMechanism(def.saslMechanism), username: credentials.username ?? '', password: credentials.password ?? '' };
      }
      return config;
    }

    node.kafkaClient = () => {
      client ??= createKafkaClient(brokerConfig(), { logger, logLevel: def.logLevel || 'warn' });
      return client;
    };

    node.valueCodec = () => {
      if (!codec) {
        const url = (def.registryUrl ?? '').trim();
        codec = url
          ? new ValueCodec({
              registry: new RegistryClient({
                url,
                ...(credentials.registryUsername ? { username: credentials.registryUsername, password: credentials.registryPassword ?? '' } : {}),
              }),
            })
          : new ValueCodec();
      }
      return codec;
    };

    node.describe = () => {
      try {
        return describeBrokerConfig(brokerConfig());
      } catch (error) {
        return `invalid configuration: ${(error as Error).message}`;
      }
    };
  }

  RED.nodes.registerType<BrokerNode, BrokerNodeDef, unknown, BrokerCredentials>('smarts-kafka-broker', SmartsKafkaBroker, {
    credentials: {
      username: { type: 'text' },
      password: { type: 'password' },
      tlsKey: { type: 'password' },
      tlsPassphrase: { type: 'password' },
      registryUsername: { type: 'text' },
      registryPassword: { type: 'password' },
    },
  });
};
