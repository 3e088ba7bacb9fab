// Example program bodies and a poll helper shared by the programs tests.

/** A valid body per kind of program: card types carry bin and brand, CREDITO also due dates. */
export const bodies = {
  CREDITO: {
    name: 'Acme credit',
    type: 'CREDITO',
    timezone: 'America/Sao_Paulo',
    currency_numeric_code: '986',
    country_code: 'BRA',
    bin: { value: '999999', start_range: '0', end_range: '999999999' },
    brand: 'VISA',
    due_dates: [
      { day: 1, active: true },
      { day: 2, active: false },
    ],
  },
  'PRE-PAGO': {
    name: 'Acme prepaid',
    type: 'PRE-PAGO',
    timezone: 'America/Sao_Paulo',
    currency_numeric_code: '986',
    country_code: 'BRA',
    bin: { value: '12345678', start_range: '0', end_range: '9999999' },
    brand: 'MASTERCARD',
  },
  'CURRENT ACCOUNTS': { name: 'Acme current', type: 'CURRENT ACCOUNTS', timezone: 'Europe/London', currency_numeric_code: '826', country_code: 'GBR' },
} as const;

/** Polls `probe` until it returns something, for up to `ms`. */
export async function waitFor<T>(probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
