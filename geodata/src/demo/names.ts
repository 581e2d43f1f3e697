import type { Rng } from "./random.ts";

const SURNAMES =
  "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶贺顾毛郝龚邵万钱严武戴孔包宝乌那" as const;
const GIVEN =
  "建国华明丽娟静敏伟芳秀英玉兰桂霞海燕红梅春雪晓东军平志强文杰鹏涛磊宇浩然欣怡佳琪淑珍凤琴亮波斌刚辉林颖婷荣凯" as const;

/** A fictional staff name: a common surname and one or two given-name characters, drawn at random. */
export function personName(rng: Rng): string {
  const surname = SURNAMES[rng.int(0, SURNAMES.length - 1)]!;
  const first = GIVEN[rng.int(0, GIVEN.length - 1)]!;
  return rng.chance(0.7) ? surname + first + GIVEN[rng.int(0, GIVEN.length - 1)]! : surname + first;
}

/** A phone number that cannot be real: the middle block is 0000. */
export function fakePhone(rng: Rng): string {
  return `1${rng.pick(["33", "35", "38", "39", "50", "58", "87"])}-0000-${String(rng.int(0, 9999)).padStart(4, "0")}`;
}

const SHOP_WORDS = [
  "康",
  "福",
  "寿",
  "益",
  "健",
  "颐",
  "安",
  "乐",
  "泰",
  "和",
  "宁",
  "瑞",
  "祥",
  "顺",
  "兴",
  "鑫",
  "盛",
  "佳",
  "美",
  "嘉",
  "润",
  "禾",
  "源",
  "德",
] as const;

/** A shop's brand: two characters that read like a real shop sign. */
function brand(rng: Rng): string {
  const a = rng.pick(SHOP_WORDS);
  let b = rng.pick(SHOP_WORDS);
  while (b === a) b = rng.pick(SHOP_WORDS);
  return a + b;
}

const RESTAURANT_KINDS = [
  "家常菜",
  "面馆",
  "烧烤",
  "饺子馆",
  "手把肉馆",
  "火锅",
  "快餐",
  "包子铺",
  "蒙餐馆",
  "麻辣烫",
  "炖菜馆",
  "奶茶店",
] as const;

/** A name for a venue of a category sold on the street. */
export function venueName(category: string, rng: Rng): string {
  switch (category) {
    case "health_shop":
      return `${brand(rng)}${rng.pick(["养生馆", "保健品店", "养生会所", "健康体验馆"])}`;
    case "pharmacy":
      return `${brand(rng)}${rng.pick(["大药房", "药店", "医药连锁"])}`;
    case "restaurant":
      return `${rng.pick(["老", "小", "", "", ""])}${brand(rng)}${rng.pick(RESTAURANT_KINDS)}`;
    case "internet_cafe":
      return `${brand(rng)}${rng.pick(["网咖", "网吧", "电竞馆"])}`;
    case "hotel":
      return `${brand(rng)}${rng.pick(["宾馆", "快捷酒店", "商务酒店", "旅馆"])}`;
    case "clinic":
      return `${brand(rng)}${rng.pick(["诊所", "中医诊所", "口腔诊所"])}`;
    default:
      throw new Error(`no street name pattern for ${category}`);
  }
}

const COMPOUND_PREFIXES = [
  "锦绣",
  "阳光",
  "金色",
  "翰林",
  "御景",
  "康城",
  "华府",
  "凤凰",
  "紫御",
  "盛世",
  "名都",
  "幸福",
  "颐和",
  "怡景",
  "龙泽",
  "书香",
  "明珠",
  "欧亚",
  "兴泰",
  "福地",
  "瑞祥",
  "嘉禾",
  "东方",
  "碧水",
  "绿城",
  "金海",
  "天润",
  "万和",
  "鑫源",
  "丽都",
  "富丽",
  "和谐",
  "新世纪",
  "世纪",
  "滨江",
  "春晖",
  "泰和",
  "安居",
  "宏运",
  "祥和",
] as const;
const COMPOUND_SUFFIXES = ["小区", "花园", "家园", "华庭", "嘉苑", "名苑", "新城", "丽景", "雅居", "公馆"] as const;
const OLD_AREA_NAMES = [
  "粮库家属院",
  "铁路家属院",
  "供销社家属院",
  "水泥厂家属院",
  "糖厂家属院",
  "农机站家属院",
  "电业局家属院",
  "运输公司家属院",
  "建筑公司家属院",
  "二轻局家属院",
  "百货站家属院",
  "造纸厂家属院",
] as const;
/** Names for new compounds (prefix + suffix) and for old work-unit housing areas, each list shuffled. */
export function compoundNames(rng: Rng): { estates: string[]; oldAreas: string[] } {
  const estates = rng.shuffle(COMPOUND_PREFIXES.flatMap((p) => COMPOUND_SUFFIXES.map((s) => p + s)));
  return { estates, oldAreas: rng.shuffle(OLD_AREA_NAMES) };
}
