// A stand-in for the network: replaces globalThis.fetch by one that answers at once with a
// prebuilt 100-byte response, so that what a benchmark then measures is the client's own
// work (the wrapper, the glue, the wasm and the fetch backend's JS side). Returns the URL
// to request (nothing listens there; the stub never connects).
export function stubFetch() {
  const body = new Uint8Array(100).fill(120);
  const RealResponse = globalThis.Response;
  globalThis.fetch = async (_input, init) => {
    if (init?.signal?.aborted) throw init.signal.reason;
    return new RealResponse(body, {
      status: 200,
      headers: { "content-type": "application/octet-stream", "content-length": "100", date: "Thu, 27 Nov 2025 16:00:00 GMT", server: "stub" },
    });
  };
  return "http://127.0.0.1:9/bytes/100";
}
