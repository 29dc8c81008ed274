/**
 * Raster work with sharp: logo renders, the favicon set, the banner. Input images are bounded in bytes
 * and pixels; large ones are scaled down rather than failing or exhausting memory.
 */
import sharp from "sharp";

export const maxImageBytes = 15 * 1024 * 1024;
/** Decompression-bomb guard: sharp refuses to decode more pixels than this. */
export const maxInputPixels = 50_000_000;
/** A raster image embedded in an SVG logo (data:): decoded each time the logo is drawn. */
export const maxEmbeddedPixels = 4_000_000;
export const bannerMaxWidth = 1920;
export const logoHeight = 56;

const sharpOptions = { limitInputPixels: maxInputPixels, failOn: "error" as const };

export type RasterCheck = { ok: true; width: number; height: number; format: string } | { ok: false; reason: string; fix: string };

/** Checks that a file really is a PNG, JPEG or WebP image of sane size before anything renders it. */
export async function inspectRaster(data: Buffer, maxPixels = maxInputPixels): Promise<RasterCheck> {
  if (data.length > maxImageBytes) {
    return { ok: false, reason: `is ${(data.length / 1048576).toFixed(1)} MiB, over the ${maxImageBytes / 1048576} MiB limit`, fix: "export it smaller (a banner needs at most 1920 pixels wide, quality 80)" };
  }
  try {
    // Reading the header decodes no pixel: the size is compared below, with a message that gives it.
    const meta = await sharp(data, { ...sharpOptions, limitInputPixels: false }).metadata();
    if (!["png", "jpeg", "webp"].includes(meta.format ?? "")) {
      return { ok: false, reason: `is a ${meta.format ?? "unknown"} image`, fix: "use a PNG, JPEG or WebP file" };
    }
    if (!meta.width || !meta.height) return { ok: false, reason: "has no size", fix: "re-export the image" };
    if (meta.width * meta.height > maxPixels) {
      return { ok: false, reason: `is ${meta.width}x${meta.height} pixels, over the ${maxPixels / 1e6} megapixel limit`, fix: `scale it down below ${maxPixels / 1e6} megapixels` };
    }
    return { ok: true, width: meta.width, height: meta.height, format: meta.format ?? "" };
  } catch {
    return { ok: false, reason: "is not a readable PNG, JPEG or WebP image", fix: "export the file again as PNG, JPEG or WebP" };
  }
}

/** Density at which an SVG must be rasterised to reach a target size without blur. */
function densityFor(svgSize: number, targetPx: number): number {
  return Math.min(2400, Math.max(36, Math.ceil((72 * targetPx) / Math.max(1, svgSize))));
}

export async function svgToPng(svg: string, width: number, height: number, target: { width?: number; height?: number }): Promise<Buffer> {
  const density = target.height ? densityFor(height, target.height) : densityFor(width, target.width ?? width);
  return sharp(Buffer.from(svg), { ...sharpOptions, density })
    .resize({ ...target, fit: "contain", background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png({ compressionLevel: 9, palette: false })
    .toBuffer();
}

export async function toWebp(png: Buffer): Promise<Buffer> {
  return sharp(png, sharpOptions).webp({ quality: 90, effort: 4 }).toBuffer();
}

/** A square icon, the source centred on a transparent canvas. */
export async function squareIcon(source: { svg?: { text: string; width: number; height: number }; raster?: Buffer }, size: number): Promise<Buffer> {
  const input = source.svg
    ? sharp(Buffer.from(source.svg.text), { ...sharpOptions, density: densityFor(Math.max(source.svg.width, source.svg.height), size) })
    : sharp(source.raster, sharpOptions);
  return input
    .resize(size, size, { fit: "contain", background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

export async function bannerRenders(data: Buffer): Promise<{ webp: Buffer; jpeg: Buffer; width: number; height: number; downscaled: boolean }> {
  const meta = await sharp(data, sharpOptions).metadata();
  const downscaled = (meta.width ?? 0) > bannerMaxWidth;
  const base = () => sharp(data, sharpOptions).rotate().resize({ width: bannerMaxWidth, withoutEnlargement: true });
  const [webp, jpeg] = await Promise.all([
    base().webp({ quality: 80 }).toBuffer(),
    base().flatten({ background: "#ffffff" }).jpeg({ quality: 82, mozjpeg: true }).toBuffer(),
  ]);
  const out = await sharp(webp).metadata();
  return { webp, jpeg, width: out.width ?? 0, height: out.height ?? 0, downscaled };
}

/** ICO container holding PNG images (supported by every browser since Windows Vista-era icons). */
export function icoFromPngs(images: Array<{ size: number; png: Buffer }>): Buffer {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png }, i) => {
    const entry = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, entry);
    header.writeUInt8(size >= 256 ? 0 : size, entry + 1);
    header.writeUInt8(0, entry + 2);
    header.writeUInt8(0, entry + 3);
    header.writeUInt16LE(1, entry + 4);
    header.writeUInt16LE(32, entry + 6);
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.png)]);
}
