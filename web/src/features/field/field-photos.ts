/** The long side a photo is resized to on the phone: enough to read a sign or a crack, a few hundred kB. */
export const PHOTO_LONG_SIDE_PX = 1600;
export const MAX_PHOTOS = 3;

/**
 * A camera photo made ready to send: resized to about 1,600 px on its long side and re-encoded as JPEG through a
 * canvas, which writes pixels only, so none of the camera's metadata (EXIF: place, time, device) survives. The
 * library is loaded when the first photo is taken, not with the app.
 */
export async function preparePhoto(file: File): Promise<Blob> {
  const { default: imageCompression } = await import("browser-image-compression");
  const out = await imageCompression(file, {
    maxWidthOrHeight: PHOTO_LONG_SIDE_PX,
    maxSizeMB: 1.5,
    fileType: "image/jpeg",
    initialQuality: 0.85,
    preserveExif: false,
    useWebWorker: false,
  });
  // The library hands back the original when re-encoding would not make it smaller: that one still has its EXIF.
  if (out === file || out.size === file.size) return reencode(file);
  return new Blob([await out.arrayBuffer()], { type: "image/jpeg" });
}

/** Draws the photo on a canvas (the browser applies its orientation) and encodes the pixels alone as JPEG. */
async function reencode(file: File): Promise<Blob> {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, PHOTO_LONG_SIDE_PX / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d")?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("canvas.toBlob"))), "image/jpeg", 0.85),
  );
}
