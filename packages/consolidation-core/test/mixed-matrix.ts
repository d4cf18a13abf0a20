/**
 * `n` rows of `dims` floats for comparing dense and sparse forms: most elements zero (a twentieth of them signed
 * zeros), every `denseEvery`-th row fully non-zero.
 */
export function mixedMatrix(n: number, dims: number, random: () => number, denseEvery: number): Float32Array {
  const matrix = new Float32Array(n * dims);
  for (let i = 0; i < n; i++) {
    const density = i % denseEvery === 0 ? 1 : 0.15;
    for (let d = 0; d < dims; d++) {
      const r = random();
      if (r < density) matrix[i * dims + d] = Math.fround((random() - 0.5) * 0.4);
      else if (r < density + 0.05) matrix[i * dims + d] = -0;
    }
  }
  return matrix;
}
