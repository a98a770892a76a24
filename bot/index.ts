import { loadConfigOrExit } from '../src/runtime';

/**
 * The WhatsApp bot process (deployments: npm run start:bot). It will hold the WhatsApp session and
 * be the only consumer of the whatsapp-outbound queue; the transports arrive with the bot issue.
 * Until then it validates its configuration and waits, so the deployment layout is final.
 */
function main(): void {
  loadConfigOrExit();
  process.stdout.write(
    'Loket bot: no WhatsApp transport is configured yet; waiting for SIGTERM.\n',
  );
  const timer = setInterval(() => undefined, 60_000);
  const stop = () => {
    clearInterval(timer);
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main();
