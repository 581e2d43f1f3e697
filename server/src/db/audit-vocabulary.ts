/**
 * Every action the server writes to the audit trail and every kind of object it names. `audit()` and the raw
 * inserts take only these, so a new action fails the type check until it is listed here, and
 * `tests/audit-labels.test.ts` fails until the web has a Chinese and an English label for it.
 */
export const AUDIT_ACTIONS = [
  "sign_in",
  "sign_in_failed",
  "sign_in_throttled",
  "sign_out",
  "sign_out_everywhere",
  "password_change",
  "password_reset",
  "password_link_issued",
  "password_set_by_link",
  "account_create",
  "account_update",
  "demo_accounts_create",
  "plan_create",
  "plan_assign",
  "plan_create_grid",
  "plan_delete_grid",
  "plan_split",
  "plan_merge",
  "plan_lock",
  "plan_rebalance",
  "plan_renumber",
  "plan_undo",
  "plan_redo",
  "plan_publish",
  "camera_create",
  "camera_update",
  "camera_delete",
  "hazard_create",
  "hazard_transition",
  "inspection_create",
  "venue_category_update",
  "worker_create",
  "worker_update",
  "worker_retire",
  "worker_assign",
  "worker_unassign",
  "visit_create",
  "visit_import",
  "photo_add",
  "import_layer",
  "import_osm",
  "import_plan",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The kinds of object an audit entry is about (`audit_event.entity`); layer imports name their layer. */
export const AUDIT_ENTITIES = [
  "account",
  "session",
  "plan",
  "camera",
  "hazard",
  "inspection",
  "venue_category",
  "visit",
  "worker",
  "subdistrict",
  "venues",
  "hazards",
  "cameras",
  "buildings",
] as const;
export type AuditEntity = (typeof AUDIT_ENTITIES)[number];
