import type { Options, Results, SelfieSegmentation } from '@mediapipe/selfie_segmentation';

// MediaPipe's selfie segmentation, loaded from vconf's own origin: vite.config.ts copies the loader,
// graph, model and wasm out of the npm package into the bundle under this path, and locateFile
// points every fetch of the loader there (nothing comes from a CDN).
const BASE = `${import.meta.env.BASE_URL}vendor/selfie-segmentation/`;

/** The landscape model: 144x256 input, made for video calls, cheaper than the square general model. */
const LANDSCAPE_MODEL = 1;
export const SEGMENT_WIDTH = 256;
export const SEGMENT_HEIGHT = 144;

/** Receives the person mask (alpha = how sure the pixel is the person) while it is valid. */
export type MaskSink = (mask: CanvasImageSource) => void;

/** One loaded model for the page; frames go through it one at a time. */
export class Segmenter {
  private sink: MaskSink | null = null;
  busy = false;

  constructor(private readonly solution: SelfieSegmentation) {
    // The mask lives in MediaPipe's own canvas and is overwritten by the next frame: the sink copies it.
    solution.onResults((results: Results) => this.sink?.(results.segmentationMask));
  }

  /** Segments `image` (SEGMENT_WIDTH x SEGMENT_HEIGHT); `sink` sees the mask before this resolves. */
  async segment(image: HTMLCanvasElement, sink: MaskSink): Promise<void> {
    this.busy = true;
    this.sink = sink;
    try {
      await this.solution.send({ image });
    } finally {
      this.sink = null;
      this.busy = false;
    }
  }
}

let shared: Promise<Segmenter> | null = null;

/** Loads the model once per page (about 6 MB, fetched only when someone turns an effect on). */
export function loadSegmenter(): Promise<Segmenter> {
  if (!shared) {
    shared = create();
    shared.catch(() => (shared = null));
  }
  return shared;
}

async function create(): Promise<Segmenter> {
  await loadScript(`${BASE}selfie_segmentation.js`);
  const Solution = (window as unknown as { SelfieSegmentation?: typeof SelfieSegmentation }).SelfieSegmentation;
  if (!Solution) throw new Error('selfie segmentation did not load');
  const solution = new Solution({ locateFile: (file: string) => `${BASE}${file}` });
  // The model is small enough for wasm SIMD. On software WebGL (no GPU, or a blocked one) the GPU
  // path reads pixels back synchronously and stalls the page: measured here, 2 frames/s against 17
  // on the CPU path, so there the CPU path is used.
  const options: Options & { useCpuInference?: boolean } = { modelSelection: LANDSCAPE_MODEL, selfieMode: false };
  if (softwareWebGl()) options.useCpuInference = true;
  solution.setOptions(options);
  await solution.initialize();
  return new Segmenter(solution);
}

/** The package's loader is a classic script that defines window.SelfieSegmentation. */
function loadScript(src: string): Promise<void> {
  if ((window as unknown as { SelfieSegmentation?: unknown }).SelfieSegmentation) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.async = true;
    script.addEventListener('load', () => resolve());
    script.addEventListener('error', () => {
      script.remove();
      reject(new Error(`could not load ${src}`));
    });
    document.head.append(script);
  });
}

/** Whether WebGL is drawn by the CPU (SwiftShader, llvmpipe, Microsoft Basic Render) or missing. */
function softwareWebGl(): boolean {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) return true;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer);
}
