/** The Meta app secret of the bench's webhooks (Loket's WHATSAPP_CLOUD_APP_SECRET and the baseline's). */
export const BENCH_APP_SECRET = 'bench-meta-app-secret';
