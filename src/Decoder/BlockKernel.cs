using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using VecLm.Embeddings;

namespace VecLm.Decoder;

/// <summary>
/// The register-blocked scoring kernels of <see cref="ExactIndex"/>. Rows are stored in blocks of
/// <see cref="Rows"/> = 16, each block dimension-major (<c>block[d·16 + r]</c> is dimension d of row r), so one
/// fused multiply-add of a broadcast query element against a block vector advances 16 row scores at once, with no
/// horizontal sum. Every lane accumulates <c>acc = fma(q[d], row[d], acc)</c> for d = 0, 1, … in order, in every
/// width (<see cref="SimdWidth"/>: Vector512, two Vector256 halves, four Vector128 quarters, scalar) and in
/// <see cref="DotSequential"/>, so all paths give bitwise the same scores (and the same ties). The row count is
/// padded to whole blocks, so no width has a remainder.
/// </summary>
internal static unsafe class BlockKernel
{
    /// <summary>Rows per block.</summary>
    public const int Rows = 16;
    /// <summary>Blocks one query is scored against per pass of <see cref="OneQuery"/> (the row count is padded to it).</summary>
    public const int OneQueryBlocks = 4;

    /// <summary>
    /// The width <see cref="ExactIndex"/> runs at: <see cref="SimdWidths.Best"/>, except Vector128 on a CPU without
    /// fused multiply-add (x86 before AVX2, or <c>DOTNET_EnableAVX2=0</c>), where the exact fusion the kernels need is
    /// emulated and Vector128's emulation ran at 0.45× the scalar one's; there the scalar kernel runs.
    /// </summary>
    public static SimdWidth Best =>
        SimdWidths.Best == SimdWidth.V128 && !Fma.IsSupported && !AdvSimd.IsSupported ? SimdWidth.Scalar : SimdWidths.Best;

    /// <summary>The reference dot product: one fused multiply-add per dimension, in order, as every kernel lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DotSequential(float* a, float* b, int dim)
    {
        float acc = 0;
        for (int d = 0; d < dim; d++) acc = MathF.FusedMultiplyAdd(a[d], b[d], acc);
        return acc;
    }

    /// <summary>
    /// Four queries against one block: <c>scores[j·16 + r] = q_j · row r (+ bias[r])</c>. Each block vector is loaded
    /// once and used by four independent accumulator chains. <paramref name="bias"/> may be null. Returns bit
    /// <c>j·16 + r</c> set where that score is above <c>thresholds[j]</c>.
    /// </summary>
    public static ulong FourQueries(SimdWidth width, float* block, int dim, float* q0, float* q1, float* q2, float* q3,
                                    float* bias, float* thresholds, float* scores)
    {
        if (width == SimdWidth.V512)
        {
            var a0 = Vector512<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
            for (int d = 0; d < dim; d++)
            {
                var v = Vector512.Load(block + d * Rows);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Create(q0[d]), v, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Create(q1[d]), v, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Create(q2[d]), v, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Create(q3[d]), v, a3);
            }
            if (bias != null)
            {
                var b = Vector512.Load(bias);
                a0 += b; a1 += b; a2 += b; a3 += b;
            }
            a0.Store(scores); a1.Store(scores + 16); a2.Store(scores + 32); a3.Store(scores + 48);
            return Mask(a0, thresholds[0]) | Mask(a1, thresholds[1]) << 16
                   | Mask(a2, thresholds[2]) << 32 | Mask(a3, thresholds[3]) << 48;
        }
        if (width == SimdWidth.V256)
        {
            var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
            var b0 = a0; var b1 = a0; var b2 = a0; var b3 = a0;
            for (int d = 0; d < dim; d++)
            {
                var lo = Vector256.Load(block + d * Rows);
                var hi = Vector256.Load(block + d * Rows + 8);
                var s0 = Vector256.Create(q0[d]); var s1 = Vector256.Create(q1[d]);
                var s2 = Vector256.Create(q2[d]); var s3 = Vector256.Create(q3[d]);
                a0 = Vector256.FusedMultiplyAdd(s0, lo, a0); b0 = Vector256.FusedMultiplyAdd(s0, hi, b0);
                a1 = Vector256.FusedMultiplyAdd(s1, lo, a1); b1 = Vector256.FusedMultiplyAdd(s1, hi, b1);
                a2 = Vector256.FusedMultiplyAdd(s2, lo, a2); b2 = Vector256.FusedMultiplyAdd(s2, hi, b2);
                a3 = Vector256.FusedMultiplyAdd(s3, lo, a3); b3 = Vector256.FusedMultiplyAdd(s3, hi, b3);
            }
            if (bias != null)
            {
                var bl = Vector256.Load(bias);
                var bh = Vector256.Load(bias + 8);
                a0 += bl; a1 += bl; a2 += bl; a3 += bl;
                b0 += bh; b1 += bh; b2 += bh; b3 += bh;
            }
            a0.Store(scores); b0.Store(scores + 8); a1.Store(scores + 16); b1.Store(scores + 24);
            a2.Store(scores + 32); b2.Store(scores + 40); a3.Store(scores + 48); b3.Store(scores + 56);
            return Mask(a0, b0, thresholds[0]) | Mask(a1, b1, thresholds[1]) << 16
                   | Mask(a2, b2, thresholds[2]) << 32 | Mask(a3, b3, thresholds[3]) << 48;
        }
        if (width == SimdWidth.V128)
        {
            // Two halves of eight rows: eight chains of four lanes each (SSE has 16 registers).
            for (int half = 0; half < 2; half++)
            {
                float* rows = block + 8 * half;
                var a0 = Vector128<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
                var b0 = a0; var b1 = a0; var b2 = a0; var b3 = a0;
                for (int d = 0; d < dim; d++)
                {
                    var lo = Vector128.Load(rows + d * Rows);
                    var hi = Vector128.Load(rows + d * Rows + 4);
                    var s0 = Vector128.Create(q0[d]); var s1 = Vector128.Create(q1[d]);
                    var s2 = Vector128.Create(q2[d]); var s3 = Vector128.Create(q3[d]);
                    a0 = Vector128.FusedMultiplyAdd(s0, lo, a0); b0 = Vector128.FusedMultiplyAdd(s0, hi, b0);
                    a1 = Vector128.FusedMultiplyAdd(s1, lo, a1); b1 = Vector128.FusedMultiplyAdd(s1, hi, b1);
                    a2 = Vector128.FusedMultiplyAdd(s2, lo, a2); b2 = Vector128.FusedMultiplyAdd(s2, hi, b2);
                    a3 = Vector128.FusedMultiplyAdd(s3, lo, a3); b3 = Vector128.FusedMultiplyAdd(s3, hi, b3);
                }
                if (bias != null)
                {
                    var bl = Vector128.Load(bias + 8 * half);
                    var bh = Vector128.Load(bias + 8 * half + 4);
                    a0 += bl; a1 += bl; a2 += bl; a3 += bl;
                    b0 += bh; b1 += bh; b2 += bh; b3 += bh;
                }
                float* o = scores + 8 * half;
                a0.Store(o); b0.Store(o + 4); a1.Store(o + 16); b1.Store(o + 20);
                a2.Store(o + 32); b2.Store(o + 36); a3.Store(o + 48); b3.Store(o + 52);
            }
            return Mask(scores, thresholds[0]) | Mask(scores + 16, thresholds[1]) << 16
                   | Mask(scores + 32, thresholds[2]) << 32 | Mask(scores + 48, thresholds[3]) << 48;
        }
        ScalarBlock(block, dim, q0, bias, scores);
        ScalarBlock(block, dim, q1, bias, scores + 16);
        ScalarBlock(block, dim, q2, bias, scores + 32);
        ScalarBlock(block, dim, q3, bias, scores + 48);
        return ScalarMask(scores, thresholds[0]) | ScalarMask(scores + 16, thresholds[1]) << 16
               | ScalarMask(scores + 32, thresholds[2]) << 32 | ScalarMask(scores + 48, thresholds[3]) << 48;
    }

    /// <summary>
    /// One query against <see cref="OneQueryBlocks"/> consecutive blocks: <c>scores[b·16 + r]</c>. Four blocks give
    /// four independent chains, so a lone query is not held up by the multiply-add latency. Returns bit
    /// <c>b·16 + r</c> set where that score is above <paramref name="threshold"/>.
    /// </summary>
    public static ulong OneQuery(SimdWidth width, float* blocks, int dim, float* q, float* bias, float threshold,
                                 float* scores)
    {
        int stride = dim * Rows;
        if (width == SimdWidth.V512)
        {
            var a0 = Vector512<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
            for (int d = 0; d < dim; d++)
            {
                var s = Vector512.Create(q[d]);
                float* p = blocks + d * Rows;
                a0 = Vector512.FusedMultiplyAdd(s, Vector512.Load(p), a0);
                a1 = Vector512.FusedMultiplyAdd(s, Vector512.Load(p + stride), a1);
                a2 = Vector512.FusedMultiplyAdd(s, Vector512.Load(p + 2 * stride), a2);
                a3 = Vector512.FusedMultiplyAdd(s, Vector512.Load(p + 3 * stride), a3);
            }
            if (bias != null)
            {
                a0 += Vector512.Load(bias); a1 += Vector512.Load(bias + 16);
                a2 += Vector512.Load(bias + 32); a3 += Vector512.Load(bias + 48);
            }
            a0.Store(scores); a1.Store(scores + 16); a2.Store(scores + 32); a3.Store(scores + 48);
            return Mask(a0, threshold) | Mask(a1, threshold) << 16 | Mask(a2, threshold) << 32 | Mask(a3, threshold) << 48;
        }
        if (width == SimdWidth.V256)
        {
            // Two blocks at a time: four chains of eight lanes.
            for (int half = 0; half < 2; half++)
            {
                float* first = blocks + 2 * half * stride;
                var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
                for (int d = 0; d < dim; d++)
                {
                    var s = Vector256.Create(q[d]);
                    float* p = first + d * Rows;
                    a0 = Vector256.FusedMultiplyAdd(s, Vector256.Load(p), a0);
                    a1 = Vector256.FusedMultiplyAdd(s, Vector256.Load(p + 8), a1);
                    a2 = Vector256.FusedMultiplyAdd(s, Vector256.Load(p + stride), a2);
                    a3 = Vector256.FusedMultiplyAdd(s, Vector256.Load(p + stride + 8), a3);
                }
                float* o = scores + 32 * half;
                if (bias != null)
                {
                    float* b = bias + 32 * half;
                    a0 += Vector256.Load(b); a1 += Vector256.Load(b + 8);
                    a2 += Vector256.Load(b + 16); a3 += Vector256.Load(b + 24);
                }
                a0.Store(o); a1.Store(o + 8); a2.Store(o + 16); a3.Store(o + 24);
            }
            ulong bits = 0;
            for (int b = 0; b < OneQueryBlocks; b++)
                bits |= Mask(Vector256.Load(scores + b * Rows), Vector256.Load(scores + b * Rows + 8), threshold) << (16 * b);
            return bits;
        }
        if (width == SimdWidth.V128)
        {
            // Two blocks at a time: eight chains of four lanes.
            for (int half = 0; half < 2; half++)
            {
                float* first = blocks + 2 * half * stride;
                var a0 = Vector128<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
                var b0 = a0; var b1 = a0; var b2 = a0; var b3 = a0;
                for (int d = 0; d < dim; d++)
                {
                    var s = Vector128.Create(q[d]);
                    float* p = first + d * Rows, r = p + stride;
                    a0 = Vector128.FusedMultiplyAdd(s, Vector128.Load(p), a0);
                    a1 = Vector128.FusedMultiplyAdd(s, Vector128.Load(p + 4), a1);
                    a2 = Vector128.FusedMultiplyAdd(s, Vector128.Load(p + 8), a2);
                    a3 = Vector128.FusedMultiplyAdd(s, Vector128.Load(p + 12), a3);
                    b0 = Vector128.FusedMultiplyAdd(s, Vector128.Load(r), b0);
                    b1 = Vector128.FusedMultiplyAdd(s, Vector128.Load(r + 4), b1);
                    b2 = Vector128.FusedMultiplyAdd(s, Vector128.Load(r + 8), b2);
                    b3 = Vector128.FusedMultiplyAdd(s, Vector128.Load(r + 12), b3);
                }
                float* o = scores + 32 * half;
                if (bias != null)
                {
                    float* b = bias + 32 * half;
                    a0 += Vector128.Load(b); a1 += Vector128.Load(b + 4); a2 += Vector128.Load(b + 8); a3 += Vector128.Load(b + 12);
                    b0 += Vector128.Load(b + 16); b1 += Vector128.Load(b + 20); b2 += Vector128.Load(b + 24); b3 += Vector128.Load(b + 28);
                }
                a0.Store(o); a1.Store(o + 4); a2.Store(o + 8); a3.Store(o + 12);
                b0.Store(o + 16); b1.Store(o + 20); b2.Store(o + 24); b3.Store(o + 28);
            }
            return Mask(scores, threshold) | Mask(scores + 16, threshold) << 16
                   | Mask(scores + 32, threshold) << 32 | Mask(scores + 48, threshold) << 48;
        }
        for (int b = 0; b < OneQueryBlocks; b++)
            ScalarBlock(blocks + b * stride, dim, q, bias == null ? null : bias + b * Rows, scores + b * Rows);
        ulong mask = 0;
        for (int b = 0; b < OneQueryBlocks; b++) mask |= ScalarMask(scores + b * Rows, threshold) << (16 * b);
        return mask;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mask(Vector512<float> scores, float threshold) =>
        Vector512.GreaterThan(scores, Vector512.Create(threshold)).ExtractMostSignificantBits();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mask(Vector256<float> low, Vector256<float> high, float threshold)
    {
        var t = Vector256.Create(threshold);
        return Vector256.GreaterThan(low, t).ExtractMostSignificantBits()
               | (ulong)Vector256.GreaterThan(high, t).ExtractMostSignificantBits() << 8;
    }

    /// <summary>Bit r set where <c>scores[r] &gt; threshold</c>, for the 16 stored scores of a block, with Vector128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mask(float* scores, float threshold)
    {
        var t = Vector128.Create(threshold);
        return Vector128.GreaterThan(Vector128.Load(scores), t).ExtractMostSignificantBits()
               | Vector128.GreaterThan(Vector128.Load(scores + 4), t).ExtractMostSignificantBits() << 4
               | Vector128.GreaterThan(Vector128.Load(scores + 8), t).ExtractMostSignificantBits() << 8
               | (ulong)Vector128.GreaterThan(Vector128.Load(scores + 12), t).ExtractMostSignificantBits() << 12;
    }

    /// <summary>Bit r set where <c>scores[r] &gt; threshold</c>, for the 16 scores of a block.</summary>
    private static ulong ScalarMask(float* scores, float threshold)
    {
        ulong mask = 0;
        for (int r = 0; r < Rows; r++)
            if (scores[r] > threshold) mask |= 1ul << r;
        return mask;
    }

    /// <summary>The lanes of block <paramref name="block"/> that hold real rows (the last block is padded).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint ValidLanes(int block, int count)
    {
        int valid = count - block * Rows;
        return valid >= Rows ? 0xFFFFu : valid <= 0 ? 0u : (1u << valid) - 1;
    }

    private static void ScalarBlock(float* block, int dim, float* q, float* bias, float* scores)
    {
        for (int r = 0; r < Rows; r++)
        {
            float acc = 0;
            for (int d = 0; d < dim; d++) acc = MathF.FusedMultiplyAdd(q[d], block[d * Rows + r], acc);
            scores[r] = bias == null ? acc : acc + bias[r];
        }
    }
}
