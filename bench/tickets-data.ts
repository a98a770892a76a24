import type { Pool } from 'pg';

/**
 * Fills `tickets` with generated rows in one INSERT ... SELECT generate_series, without the API.
 *
 * Row `i` (1-based) was created `i * 95 s` (plus jitter) before `anchor`: about 900 tickets a day,
 * so rows 1..100,000 are the last ~110 days and rows 1..1,000,000 the last ~3 years. A bigger
 * table therefore has more history, not a denser present, like an office that has run longer.
 * Open tickets (closed_at IS NULL): 60 % of those created in the last 14 days plus 0.5 % of all
 * (requests stuck waiting for the requester), so the open backlog grows only slowly with history
 * (about 8,000 open of 100,000; 12,500 open of 1,000,000). Closed tickets are ARCHIVED with a
 * validity decision, a resolution and an archive number, as the SOP leaves them.
 * Codes are LKT-YYMM-1nnnnnn: seven digits, so they never meet the API's counter (LKT-YYMM-nnnnn).
 * `ticket_step_deadlines` are not generated: the ticket list does not read them.
 */
export async function fillTickets(
  pool: Pool,
  opts: { officeId: string; staffId: string; anchor: Date; from: number; count: number },
): Promise<void> {
  const to = opts.from + opts.count - 1;
  // Per-row deterministic "random" numbers in 0..999 from hashint4, so every run has the same data.
  await pool.query(
    `
    WITH g AS (
      SELECT i,
             abs(hashint4(i) % 1000) AS r1,
             abs(hashint4(i + 1000003) % 1000) AS r2,
             abs(hashint4(i + 2000003) % 1000) AS r3,
             abs(hashint4(i + 3000017) % 1000) AS r4,
             $3::timestamptz - make_interval(secs => i * 95 + abs(hashint4(i + 4000037) % 60)) AS created
        FROM generate_series($4::int, $5::int) AS i
    ), h AS (
      SELECT g.*,
             (r1 < 5 OR (i * 95 < 14 * 86400 AND r1 < 600)) AS open,
             (ARRAY['Siti','Budi','Dewi','Agus','Rina','Andi','Wahyu','Nur','Rahmat','Yuliana'])[1 + r2 % 10] AS first,
             (ARRAY['Rahmawati','Santoso','Lestari','Wijaya','Hidayat','Saputra','Pratama','Kusuma','Nugroho','Siregar'])[1 + r3 % 10] AS last,
             CASE WHEN r4 < 450 THEN 'WHATSAPP' WHEN r4 < 750 THEN 'EMAIL' WHEN r4 < 950 THEN 'WALK_IN' ELSE 'API' END AS channel,
             CASE WHEN r3 < 700 THEN 'RESET_PASSWORD' ELSE 'USER_ID_INFO' END AS type
        FROM g
    ), t AS (
      SELECT h.*,
             CASE WHEN open THEN NULL ELSE created + make_interval(hours => 20 + r2 % 200) END AS closed,
             CASE WHEN open
                  THEN (ARRAY['RECEIVED','COMPLETENESS_CHECK','INCOMPLETE','AWAITING_REQUESTER','READY_TO_FORWARD',
                              'VALIDITY_CHECK','RESOLUTION','NOTIFY_RESULT','ARCHIVING'])[1 + (r2 / 10) % 9]
                  ELSE 'ARCHIVED' END AS step,
             lower(first) || '.' || i AS user_id
        FROM h
    )
    INSERT INTO tickets (
      id, code, office_id, type, channel, language, workflow_id, step, step_started_at, step_due_at,
      step_breached, assignee_id, version, requester_name, requester_user_id, requester_nik_encrypted,
      requester_nik_hash, requester_nik_masked, requester_nip, requester_spse_role, requester_agency,
      requester_email, requester_phone, contact_kind, contact_address, registry_entry_id,
      missing_documents, validity, reject_reason_code, reject_note, resolution, archive_number,
      retain_until, closed_at, purged_at, created_by_type, created_by_id, created_at, updated_at)
    SELECT
      gen_random_uuid(),
      'LKT-' || to_char(created AT TIME ZONE 'Asia/Jakarta', 'YYMM') || '-' || (1000000 + i),
      $1::uuid,
      type,
      channel,
      CASE WHEN r4 % 20 = 0 THEN 'en' ELSE 'id' END,
      CASE WHEN type = 'RESET_PASSWORD' THEN 'seed004-reset-password' ELSE 'seed004-user-id-info' END,
      step,
      coalesce(closed, created + make_interval(mins => r3 % 600)),
      CASE WHEN open THEN created + make_interval(mins => r3 % 600 + 480) END,
      open AND i * 95 > 86400,
      CASE WHEN step IN ('VALIDITY_CHECK','RESOLUTION','NOTIFY_RESULT','ARCHIVING','ARCHIVED') THEN $2::uuid END,
      CASE WHEN open THEN 1 + (r2 / 10) % 9 ELSE 10 END,
      first || ' ' || last || CASE WHEN r1 % 3 = 0 THEN ', S.T.' ELSE '' END,
      user_id,
      'v1.' || left(md5(i::text), 16) || '.' || left(md5((i + 1)::text), 22) || '.' || left(md5((i + 2)::text), 22),
      md5('nik' || i) || md5('nik-' || i),
      '6471********' || lpad((i % 10000)::text, 4, '0'),
      CASE WHEN r1 % 2 = 0 THEN '19800313201702' || lpad((i % 10000)::text, 4, '0') END,
      (ARRAY['PPK','POKJA','PP','HELPDESK','ADMIN_AGENCY','AUDITOR','VERIFIKATOR','KUPBJ'])[1 + r4 % 8],
      (ARRAY['Pemerintah Kota Samarinda','Pemerintah Kabupaten Kutai Kartanegara','Biro PBJ Provinsi Kalimantan Timur',
             'Inspektorat Kota Samarinda','Dinas PUPR Kota Balikpapan','RSUD Abdul Wahab Sjahranie'])[1 + r3 % 6],
      user_id || '@gmail.com',
      '+62812' || lpad((i % 100000000)::text, 8, '0'),
      CASE channel WHEN 'WHATSAPP' THEN 'WHATSAPP' WHEN 'WALK_IN' THEN CASE WHEN r1 % 2 = 0 THEN 'PHONE' ELSE 'NONE' END ELSE 'EMAIL' END,
      CASE channel WHEN 'WHATSAPP' THEN '62812' || lpad((i % 100000000)::text, 8, '0') || '@c.us'
                   WHEN 'WALK_IN' THEN CASE WHEN r1 % 2 = 0 THEN '+62812' || lpad((i % 100000000)::text, 8, '0') END
                   ELSE user_id || '@gmail.com' END,
      CASE WHEN r2 % 10 < 8 THEN gen_random_uuid() END,
      CASE WHEN step IN ('INCOMPLETE','AWAITING_REQUESTER') THEN '["SK_PENUNJUKAN"]'::jsonb ELSE '[]'::jsonb END,
      CASE WHEN NOT open OR step IN ('RESOLUTION','NOTIFY_RESULT','ARCHIVING') THEN jsonb_build_object(
        'valid', r4 % 10 <> 0, 'decidedBy', $2::text, 'decidedAt', created + interval '3 hours',
        'comparison', jsonb_build_object('matches', 7, 'mismatches', CASE WHEN r4 % 10 <> 0 THEN 0 ELSE 1 END,
          'fields', jsonb_build_array(
            jsonb_build_object('field', 'fullName', 'result', 'MATCH', 'claimed', first || ' ' || last, 'registered', first || ' ' || last),
            jsonb_build_object('field', 'userId', 'result', 'MATCH', 'claimed', user_id, 'registered', user_id),
            jsonb_build_object('field', 'nik', 'result', 'MATCH', 'claimed', '6471********' || lpad((i % 10000)::text, 4, '0'),
              'registered', '6471********' || lpad((i % 10000)::text, 4, '0')))),
        'phoneConfirmation', NULL, 'note', NULL) END,
      CASE WHEN NOT open AND r4 % 10 = 0 THEN 'DATA_MISMATCH' END,
      CASE WHEN NOT open AND r4 % 10 = 0 THEN 'Nama pada SK tidak sesuai dengan data registrasi' END,
      CASE WHEN NOT open AND r4 % 10 <> 0 THEN jsonb_build_object(
        'kind', CASE WHEN type = 'RESET_PASSWORD' THEN 'PASSWORD_RESET' ELSE 'USER_ID_FOUND' END,
        'connector', 'manual', 'deliverTo', 'EMAIL') END,
      CASE WHEN NOT open THEN 'ARS/LPSE/' || to_char(closed, 'YYYY') || '/' || i END,
      CASE WHEN NOT open THEN (closed + interval '5 years')::date END,
      closed,
      NULL,
      CASE WHEN channel IN ('WHATSAPP','API') THEN 'SERVICE' ELSE 'STAFF' END,
      $2::text,
      created,
      coalesce(closed, created + make_interval(mins => r3 % 600))
    FROM t`,
    [opts.officeId, opts.staffId, opts.anchor, opts.from, to],
  );
}

/** The columns a ticket summary shows, for the raw keyset baseline. */
const SUMMARY_COLUMNS =
  'id, code, type, channel, language, workflow_id, step, step_started_at, step_due_at, step_breached, ' +
  'assignee_id, version, requester_name, closed_at, created_at, updated_at';

/**
 * The raw keyset query on the same table the ticket list reads: open tickets, newest first, after
 * ($1, $2) when a cursor is given. `LIMIT $n` is 50 in the benchmark, like `limit=50`.
 */
export function rawOpenTicketsSql(withCursor: boolean): string {
  // The same plan as Loket's query (closed_at in the ORDER BY lets PostgreSQL read
  // ix_tickets_open backwards and stop after a page), so the ratio measures Loket's own cost.
  const order = 'ORDER BY closed_at DESC NULLS FIRST, created_at DESC, id DESC';
  return withCursor
    ? `SELECT ${SUMMARY_COLUMNS} FROM tickets WHERE closed_at IS NULL AND (created_at, id) < ($1, $2) ` +
        `${order} LIMIT $3`
    : `SELECT ${SUMMARY_COLUMNS} FROM tickets WHERE closed_at IS NULL ${order} LIMIT $1`;
}
