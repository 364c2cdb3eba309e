import SignaturePad from "signature_pad";
import { useEffect, useRef } from "preact/hooks";
import { t } from "../../i18n";

/** Largest signature the server accepts (a PNG data URL). */
export const MAX_SIGNATURE_BYTES = 200 * 1024;

/** Export the drawing as a PNG data URL, scaled down until it fits the limit. */
function exportPng(canvas: HTMLCanvasElement): string {
  let url = canvas.toDataURL("image/png");
  let scale = 0.75;
  while (url.length > MAX_SIGNATURE_BYTES && scale > 0.1) {
    const small = document.createElement("canvas");
    small.width = Math.max(1, Math.round(canvas.width * scale));
    small.height = Math.max(1, Math.round(canvas.height * scale));
    small.getContext("2d")?.drawImage(canvas, 0, 0, small.width, small.height);
    url = small.toDataURL("image/png");
    scale *= 0.75;
  }
  return url;
}

interface Props {
  title: string;
  signer: string;
  testId: string;
  onChange: (png: string | null) => void;
}

/** A full-width canvas, a clear button and the signer's name on a line under it. */
export function SignatureField({ title, signer, testId, onChange }: Props) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const padRef = useRef<SignaturePad | null>(null);
  const changeRef = useRef(onChange);
  changeRef.current = onChange;

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const pad = new SignaturePad(canvas, { penColor: "#0b1a33", minWidth: 1.2, maxWidth: 3, backgroundColor: "rgba(0,0,0,0)" });
    padRef.current = pad;
    const resize = () => {
      // Keep the drawing when the phone rotates; cap the ratio to keep the PNG small.
      const ratio = Math.min(window.devicePixelRatio || 1, 2);
      const data = pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d")?.scale(ratio, ratio);
      pad.clear();
      pad.fromData(data);
    };
    const onEnd = () => changeRef.current(pad.isEmpty() ? null : exportPng(canvas));
    pad.addEventListener("endStroke", onEnd);
    resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      pad.removeEventListener("endStroke", onEnd);
      pad.off();
    };
  }, []);

  const clear = () => {
    padRef.current?.clear();
    changeRef.current(null);
  };

  return (
    <section class="sig-box">
      <span class="field-label">{title}</span>
      <canvas ref={canvasRef} class="sig-canvas" data-testid={testId} aria-label={`${title}: ${t("agreement.signHere")}`} />
      <div class="name-line">
        <span>{t("agreement.nameLine", { name: signer })}</span>
        <button type="button" class="btn small plain" onClick={clear} data-testid={`${testId}-clear`}>
          {t("agreement.clear")}
        </button>
      </div>
    </section>
  );
}
