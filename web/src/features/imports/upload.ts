import { ApiError, createUpload, type Upload, uploadChunk } from "../../api.ts";

/** The bytes of a slice of a file as base64, the way the upload API takes them. */
function base64Of(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(",") + 1));
    };
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/**
 * Sends a file to the server in the chunks it asks for (request bodies are capped at 1 MB), reporting the bytes
 * received after each. A chunk the server says came at the wrong offset is resent from where the server is.
 */
export async function uploadFile(file: File, onProgress: (received: number, size: number) => void): Promise<Upload> {
  let upload = await createUpload(file.name, file.size);
  onProgress(0, file.size);
  while (!upload.complete) {
    const offset = upload.received_bytes;
    const data = await base64Of(file.slice(offset, offset + upload.chunk_bytes));
    try {
      upload = await uploadChunk(upload.id, offset, data);
    } catch (err) {
      const resumeAt = (err as ApiError).details as { received_bytes?: number } | undefined;
      if (!(err instanceof ApiError && err.code === "wrong_offset" && typeof resumeAt?.received_bytes === "number")) {
        throw err;
      }
      upload = { ...upload, received_bytes: resumeAt.received_bytes };
    }
    onProgress(upload.received_bytes, file.size);
  }
  return upload;
}

/** Hands a file the server made to the browser's downloads, under the name the server gave it. */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken its copy once the click's task has run.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A byte count for people: 812 B, 14.2 KB, 3.1 MB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
