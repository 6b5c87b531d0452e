import GRDB

/// The SQLite schema, one named migration per release. A new migration is added here and,
/// under the same name, to the PostgreSQL engine's list.
extension SQLiteEngine {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-encrypted-customers") { db in
            try db.create(table: "customer") { t in
                t.primaryKey("id", .text)
                t.column("external_id", .text).unique()
                t.column("party_type", .text).notNull()
                t.column("status", .text).notNull()
                t.column("version", .integer).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
                t.column("wrapped_dek", .blob).notNull()
                t.column("kek_version", .integer).notNull().indexed()
                // Every personal field, each sealed separately (see FieldVault).
                t.column("sealed_fields", .blob).notNull()
            }
            try db.create(table: "blind_index", options: .withoutRowID) { t in
                t.column("field", .text).notNull()
                t.column("digest", .blob).notNull()
                t.column("customer_id", .text).notNull().references("customer", onDelete: .cascade)
                t.primaryKey(["field", "digest", "customer_id"])
            }
            try db.create(index: "blind_index_customer", on: "blind_index", columns: ["customer_id"])
            try db.create(table: "system_key") { t in
                t.primaryKey("name", .text)
                t.column("wrapped", .blob).notNull()
                t.column("kek_version", .integer).notNull()
                t.column("created_at", .datetime).notNull()
            }
            try db.create(table: "operator_event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("occurred_at", .datetime).notNull()
                t.column("actor", .text).notNull()
                t.column("action", .text).notNull()
                t.column("detail", .text).notNull()
            }
        }
        migrator.registerMigration("v2-modules-audit-consent") { db in
            // Credentials of modules, operators and officers: only a hash of the secret is kept.
            try db.create(table: "api_key") { t in
                t.primaryKey("id", .text)
                t.column("principal_kind", .text).notNull()
                t.column("principal_id", .text).notNull()
                t.column("secret_hash", .blob).notNull()
                t.column("label", .text).notNull().defaults(to: "")
                t.column("created_at", .datetime).notNull()
                t.column("revoked_at", .datetime)
            }
            // Append-only, hash-chained (see AuditLog). No foreign key to customer: the
            // trail outlives erasure, and it never holds a value.
            try db.create(table: "audit_entry") { t in
                t.primaryKey("seq", .integer)
                t.column("occurred_at", .text).notNull()
                t.column("actor_kind", .text).notNull()
                t.column("actor_id", .text).notNull()
                t.column("action", .text).notNull()
                t.column("customer_id", .text)
                t.column("purpose", .text)
                t.column("fields", .text).notNull()
                t.column("outcome", .text).notNull()
                t.column("reasons", .text).notNull()
                t.column("policy_version", .text)
                t.column("request_id", .text)
                t.column("prev_hash", .blob).notNull()
                t.column("hash", .blob).notNull()
            }
            try db.create(index: "audit_entry_customer", on: "audit_entry", columns: ["customer_id", "seq"])
            try db.create(table: "audit_checkpoint") { t in
                t.primaryKey("seq", .integer)
                t.column("entry_hash", .blob).notNull()
                t.column("signed_at", .text).notNull()
                t.column("mac", .blob).notNull()
            }
            // Consent history (append-only) and the current state derived from it in the same
            // transaction; restriction is customer-wide, objections are per purpose.
            try db.create(table: "consent_event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("customer_id", .text).notNull().references("customer", onDelete: .cascade)
                t.column("purpose", .text)
                t.column("kind", .text).notNull()
                t.column("occurred_at", .datetime).notNull()
                t.column("recorded_at", .datetime).notNull()
                t.column("channel", .text).notNull()
                t.column("actor_kind", .text).notNull()
                t.column("actor_id", .text)
                t.column("notice_version", .text)
                t.column("expires_at", .datetime)
                t.column("evidence", .text)
            }
            try db.create(index: "consent_event_customer", on: "consent_event", columns: ["customer_id", "id"])
            try db.create(table: "consent_state", options: .withoutRowID) { t in
                t.column("customer_id", .text).notNull().references("customer", onDelete: .cascade)
                t.column("purpose", .text).notNull()
                t.column("status", .text)
                t.column("since", .datetime)
                t.column("expires_at", .datetime)
                t.column("notice_version", .text)
                t.column("objection", .boolean).notNull().defaults(to: false)
                t.primaryKey(["customer_id", "purpose"])
            }
            try db.create(index: "consent_state_purpose", on: "consent_state", columns: ["purpose", "status", "customer_id"])
            try db.create(table: "processing_restriction", options: .withoutRowID) { t in
                t.primaryKey("customer_id", .text).references("customer", onDelete: .cascade)
                t.column("since", .datetime).notNull()
            }
            // When the relationship ended, for retention counted from `relationship_end`.
            try db.alter(table: "customer") { t in t.add(column: "relationship_ended_at", .datetime) }
        }
        migrator.registerMigration("v3-consent-receipts") { db in
            // Signed consent receipts (ISO/IEC TS 27560, Kantara v1.1 fields) as compact JWS.
            // They name the customer by id and the purpose; never a personal value.
            try db.create(table: "consent_receipt") { t in
                t.primaryKey("id", .text)
                t.column("customer_id", .text).notNull().references("customer", onDelete: .cascade)
                t.column("event_id", .integer).notNull().references("consent_event", onDelete: .cascade)
                t.column("purpose", .text)
                t.column("issued_at", .datetime).notNull()
                t.column("jws", .text).notNull()
            }
            try db.create(index: "consent_receipt_customer", on: "consent_receipt", columns: ["customer_id", "issued_at"])
        }
        migrator.registerMigration("v4-data-subject-requests") { db in
            try db.create(table: "data_subject_request") { t in
                t.primaryKey("id", .text)
                t.column("customer_id", .text).notNull().indexed()
                t.column("type", .text).notNull()
                t.column("status", .text).notNull()
                t.column("received_at", .datetime).notNull()
                t.column("due_at", .datetime).notNull()
                t.column("channel", .text).notNull()
                t.column("filed_by", .text).notNull()
                t.column("filed_by_id", .text)
                t.column("purpose", .text)
                t.column("fields", .text).notNull().defaults(to: "")
            }
        }
        migrator.registerMigration("v5-event-outbox") { db in
            // The transactional outbox: written in the transaction of the change it announces.
            // Events hold ids and field names, never personal values.
            try db.create(table: "event_outbox") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("event_id", .text).notNull().unique()
                t.column("type", .text).notNull()
                t.column("customer_id", .text).notNull().indexed()
                t.column("purpose", .text)
                t.column("occurred_at", .datetime).notNull()
                // When it was committed (millisecond precision), for the delivery lag.
                t.column("recorded_at", .datetime).notNull()
                t.column("envelope", .blob).notNull()
            }
            try db.create(table: "event_subscription") { t in
                t.primaryKey("id", .text)
                t.column("module_id", .text).notNull().indexed()
                t.column("callback", .text).notNull()
                t.column("query", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("deleted_at", .datetime)
            }
            // One row per event and subscriber, fixed when the event is written: who had to
            // be told is known even if a subscription is later removed.
            try db.create(table: "event_delivery", options: .withoutRowID) { t in
                t.column("event_seq", .integer).notNull().references("event_outbox", onDelete: .cascade)
                t.column("subscription_id", .text).notNull().references("event_subscription", onDelete: .cascade)
                t.column("status", .text).notNull()
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("next_attempt_at", .datetime).notNull()
                t.column("last_attempt_at", .datetime)
                t.column("last_result", .text)
                t.column("delivered_at", .datetime)
                t.primaryKey(["event_seq", "subscription_id"])
            }
            try db.create(index: "event_delivery_due", on: "event_delivery", columns: ["status", "next_attempt_at"])
            try db.create(index: "event_delivery_subscription", on: "event_delivery", columns: ["subscription_id", "status"])
            // A module's statement that it acted on an event (erasure completion needs them).
            try db.create(table: "event_acknowledgement", options: .withoutRowID) { t in
                t.column("event_id", .text).notNull()
                t.column("module_id", .text).notNull()
                t.column("acknowledged_at", .datetime).notNull()
                t.column("request_id", .text)
                t.primaryKey(["event_id", "module_id"])
            }
        }
        migrator.registerMigration("v6-erasure") { db in
            try db.alter(table: "customer") { t in t.add(column: "erased_at", .datetime) }
            // One row per erased customer, without personal data: what was kept and until
            // when. No foreign key: it must outlive the customer row.
            try db.create(table: "erasure_tombstone") { t in
                t.primaryKey("customer_id", .text)
                t.column("erased_at", .datetime).notNull()
                t.column("request_id", .text)
                t.column("erased_fields", .text).notNull()
                t.column("held_fields", .text).notNull()
                t.column("event_id", .text).notNull()
                t.column("actor", .text).notNull()
            }
            // Officers' handling of requests. Reasons are officers' words: they must hold no personal data.
            try db.alter(table: "data_subject_request") { t in
                t.add(column: "extended_by_months", .integer).notNull().defaults(to: 0)
                t.add(column: "extension_reason", .text)
                t.add(column: "handled_by", .text)
                t.add(column: "closed_at", .datetime)
                t.add(column: "closing_reason", .text)
                t.add(column: "erasure_event_id", .text)
            }
            try db.create(index: "data_subject_request_status", on: "data_subject_request", columns: ["status", "due_at"])
            // A purged receipt keeps its id, purpose, time and the SHA-256 of the JWS it was.
            try db.alter(table: "consent_receipt") { t in
                t.add(column: "purged_at", .datetime)
                t.add(column: "jws_sha256", .text)
            }
        }
        migrator.registerMigration("v7-key-authority") { db in
            // The KEK versions the installation stands at (`active_kek_version`,
            // `min_kek_version`): the database, not each server's memory, says which version
            // new keys are wrapped under and which are retired.
            try db.create(table: "key_state") { t in
                t.primaryKey("name", .text)
                t.column("value", .integer).notNull()
            }
            // Each running server's KEK version, refreshed every few seconds: a version a live
            // server still wraps under cannot be retired.
            try db.create(table: "server_heartbeat") { t in
                t.primaryKey("id", .text)
                t.column("active_kek_version", .integer).notNull()
                t.column("seen_at", .datetime).notNull()
            }
        }
        migrator.registerMigration("v8-security-review") { db in
            // The id of the key that signed each checkpoint (NULL: signed before v8, message v1).
            try db.alter(table: "audit_checkpoint") { t in t.add(column: "key_id", .blob) }
            // Who verified a request's identity: four-eyes erasure needs someone else to carry it out.
            try db.alter(table: "data_subject_request") { t in t.add(column: "verified_by", .text) }
        }
        migrator.registerMigration("v9-costs-that-do-not-grow") { db in
            // Lists skip erased customers: without these, every row skipped by OFFSET is a
            // table lookup, and a page at depth 900,000 took seconds.
            try db.execute(sql: "CREATE INDEX customer_live ON customer(id) WHERE erased_at IS NULL")
            try db.execute(sql: "CREATE INDEX customer_live_type ON customer(party_type, id) WHERE erased_at IS NULL")
            // /metrics counts keys still under an older KEK version: an empty range, not a scan.
            try db.execute(sql: "CREATE INDEX customer_kek_version ON customer(kek_version)")
        }
        migrator.registerMigration("v10-web-sessions") { db in
            // The web pages' sessions: SHA-256 of the cookie's token, never the token; epoch seconds.
            try db.create(table: "web_session") { t in
                t.primaryKey("token_hash", .blob)
                t.column("kind", .text).notNull()
                t.column("subject", .text).notNull()
                t.column("pending", .text)
                t.column("created_at", .integer).notNull()
                t.column("seen_at", .integer).notNull()
            }
            try db.create(index: "web_session_subject", on: "web_session", columns: ["kind", "subject"])
        }
        migrator.registerMigration("v11-transparency-log") { db in
            // Every perfect subtree of the Merkle tree over the audit trail (level 0: leaves).
            try db.create(table: "transparency_node") { t in
                t.column("level", .integer).notNull()
                t.column("idx", .integer).notNull()
                t.column("hash", .blob).notNull()
                t.primaryKey(["level", "idx"])
            }
            // Signed tree heads; signed_at in epoch milliseconds.
            try db.create(table: "transparency_head") { t in
                t.primaryKey("tree_size", .integer)
                t.column("root_hash", .blob).notNull()
                t.column("signed_at", .integer).notNull()
                t.column("signature", .blob).notNull()
            }
        }
        migrator.registerMigration("v12-jurisdictions-and-breaches") { db in
            // Where each customer lives, for the law that applies: a region code (`US-CA`) and
            // a jurisdiction the record names, never the address itself. Rows from before stay
            // NULL: the policy's default jurisdiction, as before.
            try db.alter(table: "customer") { t in
                t.add(column: "residence", .text)
                t.add(column: "declared_jurisdiction", .text)
            }
            // The deadline rule a request was filed under, fixed at filing.
            try db.alter(table: "data_subject_request") { t in
                t.add(column: "jurisdiction", .text)
                t.add(column: "deadline", .text)
                t.add(column: "extension", .text)
                t.add(column: "extended_by", .text)
            }
            // The breach register (GDPR Art. 33(5)): officers' words, ids and dates; no personal values.
            try db.create(table: "personal_data_breach") { t in
                t.primaryKey("id", .text)
                t.column("title", .text).notNull()
                t.column("description", .text).notNull()
                t.column("discovered_at", .datetime).notNull()
                t.column("occurred_from", .datetime)
                t.column("occurred_until", .datetime)
                t.column("categories", .text).notNull()
                t.column("selection", .text).notNull()
                t.column("consequences", .text).notNull()
                t.column("measures", .text).notNull()
                t.column("recorded_by", .text).notNull()
                t.column("recorded_at", .datetime).notNull()
                t.column("authority_notified_at", .datetime)
                t.column("authority_reference", .text)
                t.column("notify_customers", .boolean)
                t.column("notification_reason", .text)
                t.column("decided_by", .text)
                t.column("decided_at", .datetime)
                t.column("customers_notified_at", .datetime)
            }
            try db.create(table: "breach_customer", options: .withoutRowID) { t in
                t.column("breach_id", .text).notNull().references("personal_data_breach", onDelete: .cascade)
                t.column("customer_id", .text).notNull()
                t.column("jurisdiction", .text).notNull()
                t.primaryKey(["breach_id", "customer_id"])
            }
        }
        return migrator
    }
}
