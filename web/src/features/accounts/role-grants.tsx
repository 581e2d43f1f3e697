import { useEffect, useState } from "react";
import { fetchGrid, fetchGrids, type GridDetail, type RoleGrant, toApiError } from "../../api.ts";
import { type Lang, localName, type Translate, useLang } from "../../i18n.ts";

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
    return `${role} · ${name ? `${name} (#${grant.worker_id})` : `#${grant.worker_id}`}`;
  }
  return role;
}

/**
 * Edits a list of role grants: the three subdistrict-wide roles as checkboxes, community secretaries with their
 * community and workers with their worker record. There is no worker directory on the server yet, so a worker is
 * found through a grid's team (community → grid → member), which also gives the name to show.
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

/** Finds a worker record through a grid's team: choose a grid of the community, then one of its members. */
function WorkerPicker(props: { community: string; onPick: (id: number, name: string) => void }) {
  const { lang, t } = useLang();
  const [grids, setGrids] = useState<string[]>([]);
  const [grid, setGrid] = useState("");
  const [team, setTeam] = useState<GridDetail["team"]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    setGrid("");
    fetchGrids().then(
      (fc) =>
        current &&
        setGrids(
          fc.features
            .map((f) => f.properties.code)
            .filter((code) => code.startsWith(props.community))
            .sort(),
        ),
      (err: unknown) => current && setError(toApiError(err).text(lang)),
    );
    return () => {
      current = false;
    };
  }, [props.community, lang]);

  useEffect(() => {
    let current = true;
    setTeam([]);
    if (!grid) return;
    fetchGrid(grid).then(
      (g) => current && setTeam(g.team.filter((w) => w.role !== "secretary")),
      (err: unknown) => current && setError(toApiError(err).text(lang)),
    );
    return () => {
      current = false;
    };
  }, [grid, lang]);

  return (
    <div className="grants-add">
      <select value={grid} onChange={(e) => setGrid(e.target.value)} data-testid="grant-grid">
        <option value="">{t("account.chooseGrid")}</option>
        {grids.map((code) => (
          <option key={code} value={code}>
            {t("grid.title", { seq: code.slice(-3) })}
          </option>
        ))}
      </select>
      {team.map((w) => (
        <button key={w.id} type="button" onClick={() => props.onPick(w.id, w.name)} data-testid="grant-add-worker">
          {t("account.addWorker", { name: w.name, id: w.id })}
        </button>
      ))}
      {error && <span className="error-text">{error}</span>}
    </div>
  );
}
