/**
 * The one fontstack we serve as glyph PBFs (built by web/scripts/build-glyphs.ts from Noto Sans CJK).
 * No spaces, so the glyph URLs need no escaping.
 */
export const GLYPH_FONTSTACK = "NotoSansCJK-Regular";

/**
 * Families the browser draws CJK label glyphs with (MapLibre's `localIdeographFontFamily`): the same Noto CJK that
 * the PBFs come from where it is installed, then the usual Chinese system fonts.
 */
export const LOCAL_IDEOGRAPH_FONT_FAMILY =
  "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

/** The `text-font` of every label layer. */
export const LABEL_FONT = [GLYPH_FONTSTACK];
