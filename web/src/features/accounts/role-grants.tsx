import { useEffect, useState } from "react";
import { fetchWorkers, type RoleGrant, toApiError, type Worker } from "../../api.ts";
import { isMessageKey, type Lang, localName, type MessageKey, type Translate, useLang } from "../../i18n/lang.ts";

export type Community = { code: string; name: string; name_en: string | null };

/** Roles that carry no scope: the whole subdistrict. */
const PLAIN_ROLES = ["admin", "planner", "leader"] as const;

/** A grant in words: "社区书记 · 辽河社区", "网格员 · 张三 (#132)". */
export function grantLabel(
  grant: RoleGrant,
  t: Translate,
  lang: Lang,
  communities: Community[],
  workerNames: ReadonlyMap<number, string>,
): string {
  const role = t(`account.role.${grant.role}`);
  if ("community_code" in grant && grant.community_code) {
    const c = communities.find((x) => x.code === grant.community_code);
    return `${role} · ${c ? localName(lang, c) : grant.community_code}`;
  }
  if ("worker_id" in grant && grant.worker_id) {
    const name = workerNames.get(grant.worker_id);
    return `${role} · ${name ?? `${t("audit.field.worker_id")} ${grant.worker_id}`}`;
  }
  return role;
}

/**
 * Edits a list of role grants: the three subdistrict-wide roles as checkboxes, community secretaries with their
 * community and workers with their worker record, chosen from the community's staff.
 */
export function RoleGrants(props: {
  value: RoleGrant[];
  onChange: (grants: RoleGrant[]) => void;
  communities: Community[];
  workerNames: ReadonlyMap<number, string>;
  onWorkerFound: (id: number, name: string) => void;
  error?: string | undefined;
}) {
  const { lang, t } = useLang();
  const { value, onChange } = props;
  const [community, setCommunity] = useState("");
  const has = (role: string) => value.some((g) => g.role === role);
  const toggle = (role: (typeof PLAIN_ROLES)[number]) =>
    onChange(has(role) ? value.filter((g) => g.role !== role) : [...value, { role }]);
  const add = (grant: RoleGrant) => {
    if (!value.some((g) => JSON.stringify(g) === JSON.stringify(grant))) onChange([...value, grant]);
  };
  const scoped = value.filter((g) => g.role === "secretary" || g.role === "worker");

  return (
    <fieldset className={props.error ? "grants field-error" : "grants"} data-testid="role-grants">
      <legend className="field-label">{t("account.roles")}</legend>
      <div className="grants-plain">
        {PLAIN_ROLES.map((role) => (
          <label key={role} className="check">
            <input type="checkbox" checked={has(role)} onChange={() => toggle(role)} data-testid={`grant-${role}`} />
            {t(`account.role.${role}`)}
            <span className="muted"> — {t(`account.roleHint.${role}`)}</span>
          </label>
        ))}
      </div>

      {scoped.length > 0 && (
        <ul className="grants-scoped">
          {scoped.map((g) => (
            <li key={JSON.stringify(g)}>
              <span>{grantLabel(g, t, lang, props.communities, props.workerNames)}</span>
              <button type="button" className="link-button" onClick={() => onChange(value.filter((x) => x !== g))}>
                {t("account.removeGrant")}
              </button>
            </li>
          ))}
        </ul>
      )}

      <div className="grants-add">
        <select value={community} onChange={(e) => setCommunity(e.target.value)} data-testid="grant-community">
          <option value="">{t("account.chooseCommunity")}</option>
          {props.communities.map((c) => (
            <option key={c.code} value={c.code}>
              {localName(lang, c)}
            </option>
          ))}
        </select>
        <button
          type="button"
          disabled={!community}
          onClick={() => add({ role: "secretary", community_code: community })}
          data-testid="grant-add-secretary"
        >
          {t("account.addSecretary")}
        </button>
      </div>
      {community && (
        <WorkerPicker
          community={community}
          onPick={(id, name) => {
            props.onWorkerFound(id, name);
            add({ role: "worker", worker_id: id });
          }}
        />
      )}
      {props.error && (
        <span className="field-message" role="alert">
          {props.error}
        </span>
      )}
    </fieldset>
  );
}

/** Picks a worker record of the community: its staff listed by name, role and grids. */
function WorkerPicker(props: { community: string; onPick: (id: number, name: string) => void }) {
  const { lang, t } = useLang();
  const [workers, setWorkers] = useState<Worker[]>([]);
  const [chosen, setChosen] = useState("");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    setChosen("");
    fetchWorkers(props.community).then(
      (list) => current && setWorkers(list.workers),
      (err: unknown) => current && setError(toApiError(err).text(lang)),
    );
    return () => {
      current = false;
    };
  }, [props.community, lang]);

  const worker = workers.find((w) => String(w.id) === chosen);
  return (
    <div className="grants-add">
      <select value={chosen} onChange={(e) => setChosen(e.target.value)} data-testid="grant-worker">
        <option value="">{t("account.chooseWorker")}</option>
        {workers.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name} · {isMessageKey(`worker.role.${w.role}`) ? t(`worker.role.${w.role}` as MessageKey) : w.role}
            {w.grids.length ? ` · ${w.grids.map((g) => g.slice(-3)).join("、")}` : ""} (#{w.id})
          </option>
        ))}
      </select>
      <button
        type="button"
        disabled={!worker}
        onClick={() => worker && props.onPick(worker.id, worker.name)}
        data-testid="grant-add-worker"
      >
        {t("account.addWorkerGrant")}
      </button>
      {error && <span className="error-text">{error}</span>}
    </div>
  );
}
