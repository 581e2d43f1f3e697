import { type ComponentType, lazy, Suspense } from "react";
import { useLang } from "../i18n/lang.ts";

/**
 * A page whose code is fetched when it is first shown: the map everyone opens first loads without the editor,
 * the workspace, the leader's map with its charts, the cameras and data pages. While the page's code arrives (a
 * moment on a local network) the place it will fill says so. Call it at module level only: each call makes a new
 * component type.
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  const Page = lazy(async () => ({ default: await load() }));
  // biome-ignore lint/correctness/noComponentHookFactories: called once per page at module level, never in a render.
  return function LazyPage(props: P) {
    return (
      <Suspense fallback={<PageLoading />}>
        <Page {...props} />
      </Suspense>
    );
  };
}

function PageLoading() {
  const { t } = useLang();
  return (
    <div className="progress" role="status" aria-live="polite" data-testid="page-loading">
      <div className="progress-label">{t("app.loading")}</div>
      <progress />
    </div>
  );
}
