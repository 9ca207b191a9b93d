using System.Diagnostics;
using System.Text;

namespace VecLm.Tests.Shared;

/// <summary>
/// Damaged copies of a good file, for the readers' tests: the hand-made kinds (truncated, zeroed, random bytes at the
/// start or in the middle, a header number replaced) and a seeded fuzzer mixing them with bit flips, deletions,
/// insertions and duplications. <see cref="Check{T}"/> runs one load under a time limit: it must return a usable
/// result or throw one of the expected exceptions, with a one-line message — anything else, or a hang, fails.
/// </summary>
public static class Damage
{
    public static byte[] Truncated(byte[] good, int length) => good[..Math.Clamp(length, 0, good.Length)];

    public static byte[] Zeroed(byte[] good) => new byte[good.Length];

    /// <summary><paramref name="length"/> bytes from <paramref name="offset"/> set to zero.</summary>
    public static byte[] ZeroedRun(byte[] good, int offset, int length)
    {
        var bytes = (byte[])good.Clone();
        bytes.AsSpan(offset, Math.Min(length, bytes.Length - offset)).Clear();
        return bytes;
    }

    /// <summary><paramref name="length"/> bytes from <paramref name="offset"/> replaced by seeded random bytes.</summary>
    public static byte[] RandomRun(byte[] good, int offset, int length, int seed)
    {
        var bytes = (byte[])good.Clone();
        new Random(seed).NextBytes(bytes.AsSpan(offset, Math.Min(length, bytes.Length - offset)));
        return bytes;
    }

    /// <summary>The first line replaced by <paramref name="header"/> (for word2vec-style <c>count dim</c> headers).</summary>
    public static byte[] WithHeader(byte[] good, string header)
    {
        int newline = Array.IndexOf(good, (byte)'\n');
        return [.. Encoding.ASCII.GetBytes(header), .. good[newline..]];
    }

    /// <summary>Headers no file should be able to make a reader allocate for, or that are not sizes at all.</summary>
    public static readonly string[] AbsurdHeaders =
    [
        "2147483648 7", "7 2147483648", "2147483647 7", "7 2147483647", "2147483647 2147483647", "1000000000 1000",
        "3000000 8", // 96 MB of floats: allocatable, so only the check against the file's length stops it
        "-5 7", "5 -7", "0 7", "5 0", "-2147483648 -2147483648", "99999999999999999999 7", "5", "5 7 9", "",
        "5\t7\u00a0", "0x10 7", "1e3 7", "NaN 7",
    ];

    /// <summary>
    /// <paramref name="count"/> seeded mutations of <paramref name="good"/>, each named for the failure message: one to
    /// four edits drawn from bit flips, random or zero bytes, a cut, a deleted, inserted or duplicated run, and
    /// a header number replaced.
    /// </summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Fuzz(byte[] good, int count, int seed)
    {
        var random = new Random(seed);
        for (int n = 0; n < count; n++)
        {
            var bytes = new List<byte>(good);
            var names = new List<string>();
            int edits = 1 + random.Next(4);
            for (int e = 0; e < edits && bytes.Count > 0; e++)
            {
                int at = random.Next(bytes.Count);
                // Half the edits land in the first 64 bytes, where the headers are.
                if (random.Next(2) == 0) at = random.Next(Math.Min(64, bytes.Count));
                int run = 1 + random.Next(Math.Min(32, bytes.Count - at));
                switch (random.Next(9))
                {
                    case 0: bytes[at] ^= (byte)(1 << random.Next(8)); names.Add($"flip@{at}"); break;
                    case 1: bytes[at] = (byte)random.Next(256); names.Add($"byte@{at}"); break;
                    case 2: for (int i = 0; i < run; i++) bytes[at + i] = 0; names.Add($"zero@{at}+{run}"); break;
                    case 3: for (int i = 0; i < run; i++) bytes[at + i] = (byte)random.Next(256); names.Add($"random@{at}+{run}"); break;
                    case 4: bytes.RemoveRange(at, bytes.Count - at); names.Add($"cut@{at}"); break;
                    case 5: bytes.RemoveRange(at, run); names.Add($"delete@{at}+{run}"); break;
                    case 6:
                        var insert = new byte[run];
                        random.NextBytes(insert);
                        bytes.InsertRange(at, insert);
                        names.Add($"insert@{at}+{run}");
                        break;
                    case 7: bytes.InsertRange(at, bytes.GetRange(at, run)); names.Add($"duplicate@{at}+{run}"); break;
                    default:
                        string number = random.Next(5) switch
                        {
                            0 => "2147483647", 1 => "-1", 2 => "0", 3 => "4294967296", _ => random.Next().ToString(),
                        };
                        bytes.RemoveRange(at, Math.Min(run, 3));
                        bytes.InsertRange(at, Encoding.ASCII.GetBytes(number));
                        names.Add($"number@{at}={number}");
                        break;
                }
            }
            yield return ($"mutation {n} ({string.Join(", ", names)})", bytes.ToArray());
        }
    }

    /// <summary>
    /// Runs <paramref name="load"/> (then <paramref name="use"/> on its result) on another thread within
    /// <paramref name="timeout"/>. Returns true when it loaded, false when it threw one of <paramref name="expected"/>
    /// with a one-line message; fails on any other exception (an OutOfMemoryException, an IndexOutOfRange…) and on a hang.
    /// </summary>
    public static bool Check<T>(string name, Func<T> load, Action<T> use, TimeSpan timeout, params Type[] expected)
    {
        var clock = Stopwatch.StartNew();
        var task = Task.Factory.StartNew(() =>
        {
            T result;
            try { result = load(); }
            catch (Exception e) { return e; }
            use(result);
            return null;
        }, TaskCreationOptions.LongRunning);
        bool finished;
        try { finished = task.Wait(timeout); }
        catch (AggregateException) { finished = true; }
        if (!finished) Assert.Fail($"{name}: still loading after {clock.Elapsed.TotalSeconds:0.0} s (a hang?)");
        if (task.IsFaulted)
            Assert.Fail($"{name}: loaded but not usable: {task.Exception!.InnerException}");
        var error = task.Result;
        if (error is null) return true;
        if (!expected.Any(t => t.IsInstanceOfType(error)))
            Assert.Fail($"{name}: threw {error.GetType().Name} (expected {string.Join(" or ", expected.Select(t => t.Name))}): {error}");
        Assert.False(error.Message.Contains('\n') || error.Message.Contains('\r'), $"{name}: a message of several lines: {error.Message}");
        return false;
    }
}
