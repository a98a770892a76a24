import type { MigrationInterface, QueryRunner } from 'typeorm';

export class FrontOfficeQueue1795456082711 implements MigrationInterface {
  name = 'FrontOfficeQueue1795456082711';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "queue_counters" ("office_id" uuid NOT NULL, "day" date NOT NULL, "service" character varying(20) NOT NULL, "value" integer NOT NULL, CONSTRAINT "PK_c194370b386449530c7134e4dba" PRIMARY KEY ("office_id", "day", "service"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "guest_book_entries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "office_id" uuid NOT NULL, "day" date NOT NULL, "service" character varying(20) NOT NULL, "seq" integer NOT NULL, "queue_number" character varying(10) NOT NULL, "name" character varying(200) NOT NULL, "agency" character varying(200), "purpose" character varying(500), "phone" character varying(20), "duplicate_phone" boolean NOT NULL DEFAULT false, "status" character varying(10) NOT NULL DEFAULT 'WAITING', "desk" character varying(40), "called_at" TIMESTAMP WITH TIME ZONE, "serving_at" TIMESTAMP WITH TIME ZONE, "done_at" TIMESTAMP WITH TIME ZONE, "ticket_id" uuid, "created_by" character varying(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6d9adf0dd801af0fd8146848ec8" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_guest_book_waiting" ON "guest_book_entries" ("office_id", "day", "status", "seq") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_guest_book_number" ON "guest_book_entries" ("office_id", "day", "service", "seq") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."uq_guest_book_number"`);
    await queryRunner.query(`DROP INDEX "public"."ix_guest_book_waiting"`);
    await queryRunner.query(`DROP TABLE "guest_book_entries"`);
    await queryRunner.query(`DROP TABLE "queue_counters"`);
  }
}
