import { useEffect, useState } from "react";
import { type ApiError, fetchCommunities, fetchPlan, fetchTransfers, type PlanDetail, toApiError } from "../../api.ts";
import { formatNumber, localName, useLang } from "../../i18n/lang.ts";
import { today as subdistrictToday } from "../../i18n/time.ts";
import { TableHead } from "../../ui/table-head.tsx";

/**
 * The change list (划转清单) as a page to print for public notice: which parcel, building and entrance moves from
 * which grid to which, with households, and the totals. The table is the server's CSV, so print and export agree.
 */
export function TransfersPrint(props: { a: number; b: number }) {
  const { lang, t } = useLang();
  const [communities, setCommunities] = useState<Map<string, { name: string; name_en: string | null }>>(new Map());
  const [rows, setRows] = useState<string[][] | null>(null);
  const [plans, setPlans] = useState<[PlanDetail, PlanDetail] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    Promise.all([fetchTransfers(props.a, props.b), fetchPlan(props.a), fetchPlan(props.b), fetchCommunities()]).then(
      ([csv, pa, pb, cs]) => {
        setRows(csv.slice(1).filter((r) => r.length > 1));
        setPlans([pa, pb]);
        setCommunities(new Map(cs.features.map((f) => [f.properties.code, f.properties])));
      },
      (err: unknown) => setError(toApiError(err)),
    );
  }, [props.a, props.b]);

  const communityName = (code: string) => {
    const c = communities.get(code);
    return c ? localName(lang, c) : code;
  };
  const households = rows?.reduce((n, r) => n + Number(r[5] ?? 0), 0) ?? 0;
  const today = subdistrictToday();

  return (
    <main className="print-page" data-testid="transfers-print">
      <div className="print-actions no-print">
        <button type="button" className="primary" onClick={() => window.print()}>
          {t("plan.compare.printNow")}
        </button>
      </div>
      <h1>{t("transfers.title")}</h1>
      {plans && (
        <p>
          {t("transfers.plans", { from: plans[0].name, to: plans[1].name })} · {t("transfers.date", { date: today })}
        </p>
      )}
      {error && <p className="error-text">{error.text(lang)}</p>}
      {rows && (
        <>
          <p>
            {t("transfers.totals", {
              parcels: formatNumber(lang, rows.length),
              households: formatNumber(lang, households),
            })}
          </p>
          <table className="print-table" data-testid="transfers-table">
            <TableHead
              columns={[
                "transfers.col.community",
                "transfers.col.compound",
                "transfers.col.building",
                "transfers.col.entrance",
                { key: "transfers.col.households", className: "num" },
                "transfers.col.from",
                "transfers.col.to",
                { key: "transfers.col.parcel", className: "num" },
              ]}
            />
            <tbody>
              {rows.map((r) => (
                <tr key={r[0]}>
                  <td>{communityName(r[1] ?? "")}</td>
                  <td>{r[2]}</td>
                  <td>{r[3]}</td>
                  <td>{r[4]}</td>
                  <td className="num">{r[5]}</td>
                  <td>{r[6]}</td>
                  <td>{r[7]}</td>
                  <td className="num">{r[0]}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="print-foot">{t("transfers.foot")}</p>
        </>
      )}
    </main>
  );
}
