import { type ReactNode, useCallback, useEffect, useState } from "react";
import { type ApiError, createPlan, fetchPlans, type Plan, toApiError } from "../../api.ts";
import { type MessageKey, useLang } from "../../i18n/lang.ts";
import { formatDateTime, today } from "../../i18n/time.ts";
import { followLink } from "../../router.ts";
import { ErrorText, FormActions, useRequest } from "../../ui/form.tsx";
import { Dialog, Field, Page } from "../../ui/page.tsx";
import { TableHead } from "../../ui/table-head.tsx";

/**
 * The plans: the one in force, drafts, and earlier published plans. Planners copy the published plan (or any plan)
 * into a named draft and open it in the editor; anyone who may read plans can open and compare them.
 */
export function PlansPage(props: { bar: ReactNode; canEdit: boolean; onOpen: (id: number) => void }) {
  const { lang, t } = useLang();
  const [plans, setPlans] = useState<Plan[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [creating, setCreating] = useState<"published" | number | null>(null);

  const fail = useCallback((err: unknown) => setError(toApiError(err)), []);

  useEffect(() => {
    fetchPlans().then(setPlans, fail);
  }, [fail]);

  const published = plans?.find((p) => p.status === "published");
  const date = (v: string | Date | null) => (v ? formatDateTime(lang, v) : "");

  return (
    <Page
      bar={props.bar}
      title={t("plan.title")}
      testId="plans-page"
      actions={
        props.canEdit && (
          <button type="button" className="primary" onClick={() => setCreating("published")} data-testid="plan-new">
            {t("plan.newDraft")}
          </button>
        )
      }
    >
      <ErrorText error={error} />
      {!plans && !error && <p className="muted">{t("app.loading")}</p>}
      {plans && (
        <table className="table" data-testid="plans-table">
          <TableHead
            columns={[
              "plan.name",
              "plan.state",
              { key: "plan.version", className: "num" },
              { key: "plan.grids", className: "num" },
              "plan.owner",
              "plan.updated",
              "account.actions",
            ]}
          />
          <tbody>
            {plans.map((p) => (
              <tr key={p.id} data-plan={p.id} data-status={p.status}>
                <td>
                  <a href={`/plans/${p.id}`} onClick={followLink}>
                    {p.name}
                  </a>
                </td>
                <td>
                  <span
                    className={p.status === "published" ? "tag tag-ok" : p.status === "draft" ? "tag" : "tag tag-muted"}
                  >
                    {t(`plan.status.${p.status}` as MessageKey)}
                  </span>
                  {p.valid_from && (
                    <span className="muted">
                      {" "}
                      {date(p.valid_from)}
                      {p.valid_to ? ` – ${date(p.valid_to)}` : ""}
                    </span>
                  )}
                </td>
                <td className="num">{p.version}</td>
                <td className="num">{p.grids}</td>
                <td>{p.owner}</td>
                <td className="nowrap">{date(p.updated_at)}</td>
                <td className="row-actions">
                  <button type="button" onClick={() => props.onOpen(p.id)} data-testid="plan-open">
                    {p.status === "draft" && props.canEdit ? t("plan.edit") : t("plan.view")}
                  </button>
                  {published && p.id !== published.id && (
                    <a className="button-link" href={`/plans/${published.id}/compare/${p.id}`} onClick={followLink}>
                      {t("plan.compareWithPublished")}
                    </a>
                  )}
                  {props.canEdit && (
                    <button type="button" onClick={() => setCreating(p.status === "published" ? "published" : p.id)}>
                      {t("plan.copy")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {creating !== null && plans && (
        <NewDraftDialog
          plans={plans}
          from={creating}
          onClose={() => setCreating(null)}
          onCreated={(id) => props.onOpen(id)}
        />
      )}
    </Page>
  );
}

function NewDraftDialog(props: {
  plans: Plan[];
  from: "published" | number;
  onClose: () => void;
  onCreated: (id: number) => void;
}) {
  const { lang, t } = useLang();
  const [from, setFrom] = useState<string>(String(props.from));
  const [name, setName] = useState(() => t("plan.defaultName", { date: today() }));
  const { busy, error, submit } = useRequest({ staysBusy: true });
  const create = submit(async () => {
    const { id } = await createPlan(from === "published" ? "published" : Number(from), name);
    props.onCreated(id);
  });

  return (
    <Dialog title={t("plan.newDraft")} closeLabel={t("grid.close")} onClose={props.onClose} testId="plan-dialog">
      <form className="form" onSubmit={create} noValidate>
        <Field label={t("plan.name")} error={error?.field === "name" ? error.text(lang) : undefined}>
          {(id) => <input id={id} name="name" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label={t("plan.from")} error={error?.field === "from" ? error.text(lang) : undefined}>
          {(id) => (
            <select id={id} name="from" value={from} onChange={(e) => setFrom(e.target.value)}>
              <option value="published">{t("plan.fromPublished")}</option>
              {props.plans.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} ({t(`plan.status.${p.status}` as MessageKey)})
                </option>
              ))}
            </select>
          )}
        </Field>
        <ErrorText error={error?.field === "name" || error?.field === "from" ? null : error} />
        <FormActions onCancel={props.onClose}>
          <button type="submit" className="primary" disabled={busy} data-testid="plan-create">
            {t("plan.create")}
          </button>
        </FormActions>
      </form>
    </Dialog>
  );
}
