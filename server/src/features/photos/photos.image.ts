import { DomainError } from "../../errors.ts";
import { MAX_PHOTO_BYTES, PHOTO_TYPES, type PhotoType } from "./photos.schemas.ts";

const NAMES: Record<PhotoType, string> = { "image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP" };

const tooLarge = () =>
  new DomainError(
    "too_large",
    "photo_too_large",
    `照片超过 ${MAX_PHOTO_BYTES / 1024 / 1024} MB，请缩小后再上传`,
    `the photo is over ${MAX_PHOTO_BYTES / 1024 / 1024} MB; resize it and send it again`,
    "body",
  );

export { tooLarge as photoTooLarge };

const unsupported = (zh: string, en: string) =>
  new DomainError(
    "unsupported_media",
    "photo_type",
    `${zh}（可上传 JPEG、PNG、WebP 照片）`,
    `${en} (JPEG, PNG or WebP)`,
    "body",
  );

/** The image format its first bytes say, or null when they name none we take. */
function sniff(b: Uint8Array): PhotoType | null {
  const at = (i: number, bytes: number[]) => bytes.every((x, k) => b[i + k] === x);
  if (b.length > 4 && at(0, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (b.length > 24 && at(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) && at(12, [0x49, 0x48, 0x44, 0x52])) {
    return "image/png";
  }
  if (b.length > 16 && at(0, [0x52, 0x49, 0x46, 0x46]) && at(8, [0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38])) {
    return "image/webp";
  }
  return null;
}

/** Whether the file is whole: a JPEG ends with its end-of-image marker, a PNG with IEND, a WebP fills its RIFF size. */
function complete(type: PhotoType, b: Uint8Array): boolean {
  if (type === "image/jpeg") {
    let end = b.length;
    while (end > 2 && b[end - 1] === 0) end--;
    return b[end - 2] === 0xff && b[end - 1] === 0xd9;
  }
  if (type === "image/png") {
    const iend = [0x49, 0x45, 0x4e, 0x44];
    return iend.every((x, k) => b[b.length - 8 + k] === x);
  }
  const riff = (b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24)) >>> 0;
  return riff + 8 === b.length || riff + 9 === b.length;
}

/**
 * Checks an uploaded photo: the declared type is one we take, the bytes are that format (magic bytes) and whole,
 * and it fits the size limit. Refusals are 415 (type) and 413 (size), worded for the worker.
 */
export function checkPhoto(contentType: string | undefined, bytes: Uint8Array): PhotoType {
  const declared = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (!(PHOTO_TYPES as readonly string[]).includes(declared)) {
    throw unsupported(
      `不支持的文件类型“${declared.slice(0, 60) || "无"}”`,
      `unsupported file type "${declared.slice(0, 60) || "none"}"`,
    );
  }
  if (bytes.length > MAX_PHOTO_BYTES) throw tooLarge();
  if (bytes.length === 0) throw new DomainError("invalid", "photo_empty", "照片为空", "the photo is empty", "body");
  const type = declared as PhotoType;
  const actual = sniff(bytes);
  if (actual !== type) {
    throw unsupported(
      actual ? `文件是 ${NAMES[actual]}，不是 ${NAMES[type]}` : `文件不是有效的 ${NAMES[type]} 图片`,
      actual ? `the file is a ${NAMES[actual]}, not a ${NAMES[type]}` : `the file is not a valid ${NAMES[type]} image`,
    );
  }
  if (!complete(type, bytes)) {
    throw unsupported(
      `${NAMES[type]} 图片不完整（上传中断？）`,
      `the ${NAMES[type]} image is truncated (upload cut off?)`,
    );
  }
  return type;
}
