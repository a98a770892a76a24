import { botProblems } from '../../bot/index';
import { createWwebClientFactory } from '../../bot/transports/whatsapp-web';
import { loadConfig } from '../../src/config';

// Loading whatsapp-web.js (and Puppeteer) anywhere but inside the real factory is a bug.
jest.mock('whatsapp-web.js', () => {
  throw new Error('whatsapp-web.js was loaded');
});

describe('whatsapp-web.js is loaded lazily', () => {
  test('importing the transport and building the factory load nothing; calling it does', async () => {
    const factory = createWwebClientFactory(loadConfig({ LOKET_DATA_DIR: '/tmp/loket-lazy' }));
    await expect(factory()).rejects.toThrow('whatsapp-web.js was loaded');
  });

  test('WHATSAPP_TRANSPORT=web needs a BOT token in the bot process', () => {
    expect(botProblems(loadConfig({ WHATSAPP_TRANSPORT: 'web' }))).toEqual([
      'LOKET_BOT_TOKEN: required when WHATSAPP_TRANSPORT=web',
    ]);
    expect(
      botProblems(
        loadConfig({ WHATSAPP_TRANSPORT: 'web', LOKET_BOT_TOKEN: `lks_${'a'.repeat(32)}_x` }),
      ),
    ).toEqual([]);
    expect(botProblems(loadConfig({}))).toEqual([]);
  });
});
