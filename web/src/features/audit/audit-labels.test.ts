import { AUDIT_ACTIONS, AUDIT_ENTITIES } from "@gridatlas/server/db/audit-vocabulary.ts";
import { describe, expect, it } from "vitest";
import { en } from "../../i18n/en.ts";
import { zh } from "../../i18n/zh.ts";

// The server's `audit()` accepts only the listed actions and objects, so this covers everything it can write.
describe("the audit trail's words", () => {
  it("has a Chinese and an English label for every action the server writes", () => {
    const missing = AUDIT_ACTIONS.flatMap((a) =>
      [zh, en].flatMap((d, i) => (`audit.action.${a}` in d ? [] : [`${["zh", "en"][i]}: audit.action.${a}`])),
    );
    expect(missing).toEqual([]);
  });

  it("names every kind of object in both languages, and lists no action or object the server never writes", () => {
    const missing = AUDIT_ENTITIES.flatMap((e) =>
      [zh, en].flatMap((d, i) => (`audit.entity.${e}` in d ? [] : [`${["zh", "en"][i]}: audit.entity.${e}`])),
    );
    expect(missing).toEqual([]);
    const listed = (prefix: string) =>
      Object.keys(zh)
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length));
    expect(listed("audit.action.").sort()).toEqual([...AUDIT_ACTIONS].sort());
    expect(listed("audit.entity.").sort()).toEqual([...AUDIT_ENTITIES].sort());
  });
});
