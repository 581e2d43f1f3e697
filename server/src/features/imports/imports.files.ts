import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DomainError, notFound } from "../../errors.ts";

/**
 * Files uploaded for an import, kept on the server's disk while they are used. Request bodies are small JSON
 * everywhere (1 MB), so a file arrives in base64 chunks of at most CHUNK_BYTES, in order; a broken upload resumes
 * from `received_bytes`. Files are forgotten a day after their last chunk, and with the server process.
 */
export const CHUNK_BYTES = 512 * 1024;
export const MAX_FILE_BYTES = 512 * 1024 * 1024;
const KEEP_MS = 24 * 60 * 60_000;

export type UploadedFile = {
  id: string;
  name: string;
  size_bytes: number;
  received_bytes: number;
  owner: number;
  updated_at: number;
  /** Where the bytes are, with the name's extension (GDAL recognises formats by it). */
  path: string;
};

const files = new Map<string, UploadedFile>();
const root = path.join(os.tmpdir(), `gridatlas-uploads-${process.pid}`);

/** A file name safe to put on disk: its last path segment, letters, digits, CJK, dots, dashes, underscores. */
function safeName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[^\p{L}\p{N}._-]+/gu, "_").replace(/^\.+/, "");
  return clean.slice(-120) || "upload";
}

function forgetOld(now = Date.now()): void {
  for (const [id, f] of files) {
    if (now - f.updated_at > KEEP_MS) {
      files.delete(id);
      fs.rmSync(path.dirname(f.path), { recursive: true, force: true });
    }
  }
}

export function createUpload(owner: number, name: string, size: number): UploadedFile {
  forgetOld();
  const id = randomUUID();
  const dir = path.join(root, id);
  fs.mkdirSync(dir, { recursive: true });
  const f: UploadedFile = {
    id,
    name,
    size_bytes: size,
    received_bytes: 0,
    owner,
    updated_at: Date.now(),
    path: path.join(dir, safeName(name)),
  };
  fs.writeFileSync(f.path, "");
  files.set(id, f);
  return f;
}

/** Appends a chunk at `offset`, which must be where the file ends now (a repeated chunk is refused, not doubled). */
export function appendChunk(id: string, offset: number, base64: string): UploadedFile {
  const f = findUpload(id);
  if (offset !== f.received_bytes) {
    throw new DomainError(
      "conflict",
      "wrong_offset",
      `分块位置应为 ${f.received_bytes}，收到 ${offset}`,
      `the next chunk starts at byte ${f.received_bytes}, not ${offset}`,
      "offset",
      { received_bytes: f.received_bytes },
    );
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) {
    throw new DomainError("invalid", "bad_request", "data：不是 base64 编码", "data: not base64", "data");
  }
  const bytes = Buffer.from(base64, "base64");
  if (bytes.length === 0 || bytes.length > CHUNK_BYTES) {
    throw new DomainError(
      "invalid",
      "bad_request",
      `data：每块 1 至 ${CHUNK_BYTES} 字节`,
      `data: a chunk holds 1 to ${CHUNK_BYTES} bytes`,
      "data",
    );
  }
  if (f.received_bytes + bytes.length > f.size_bytes) {
    throw new DomainError(
      "invalid",
      "bad_request",
      `data：超出声明的文件大小 ${f.size_bytes} 字节`,
      `data: more than the declared ${f.size_bytes} bytes`,
      "data",
    );
  }
  fs.appendFileSync(f.path, bytes);
  f.received_bytes += bytes.length;
  f.updated_at = Date.now();
  return f;
}

export function findUpload(id: string): UploadedFile {
  const f = files.get(id);
  if (!f) throw notFound(`没有编号为 ${id} 的上传文件（可能已过期）`, `no uploaded file ${id} (it may have expired)`);
  return f;
}

/** A complete upload of this account's, for an import or a preview to read. */
export function completeUpload(id: string, field: string, owner: number): UploadedFile {
  const f = findUpload(id);
  if (f.owner !== owner) throw notFound(`没有编号为 ${id} 的上传文件`, `no uploaded file ${id}`);
  if (f.received_bytes !== f.size_bytes) {
    throw new DomainError(
      "precondition",
      "upload_incomplete",
      `${field}：文件尚未传完（${f.received_bytes}/${f.size_bytes} 字节）`,
      `${field}: the upload is incomplete (${f.received_bytes} of ${f.size_bytes} bytes)`,
      field,
    );
  }
  return f;
}

export const uploadView = (f: UploadedFile) => ({
  id: f.id,
  name: f.name,
  size_bytes: f.size_bytes,
  received_bytes: f.received_bytes,
  complete: f.received_bytes === f.size_bytes,
  chunk_bytes: CHUNK_BYTES,
});
