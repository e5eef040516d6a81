using System.Globalization;
using CsCheck;

namespace Shoal.Testing.Fuzzing;

/// <summary>
/// Generators of admin-API bodies: the documented shape with each field left out, valid, or replaced by an odd value
/// (null, a wrong type, 1e20, NaN, -1, 60d, NUL, unicode, a huge string, deep nesting), plus bodies that are not the
/// shape at all (truncated, not JSON, empty, huge).
/// </summary>
public static class JsonMutations
{
    /// <summary>Values that are wrong for most fields, as raw JSON.</summary>
    public static readonly string[] OddValues =
    [
        "null", "true", "false", "0", "-1", "1.5", "1e20", "-1e20", "1e400", "2147483648", "-2147483649", "9223372036854775808",
        "\"\"", "\" \"", "\"1e20\"", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"60d\"", "\"-1s\"", "\"-1\"", "\"9e15d\"", "\"0\"",
        "\"\\u0000\"", "\"a\\u0000b\"", "\"\\u001b[31m\"", "\"é🙂\"", "\"\\ud800\"", "\"../../etc/passwd\"", "\"169.254.169.254\"",
        "[]", "{}", "[null]", "{\"a\":null}", "{\"a\":1}", "[1,2,3]", "[\"a\",null]", "{\"\":\"\"}",
    ];

    /// <summary>An object with the given fields, each left out, valid (from its own generator) or odd.</summary>
    public static Gen<string> Object(params (string Name, Gen<string> Valid)[] fields)
    {
        var members = fields.Select(f => Member(f.Name, f.Valid)).ToArray();
        var body = Gen.Select(Sequence(members), Gen.Int[0, 9], (parts, extra) =>
        {
            var present = parts.Where(p => p is not null).ToList();
            if (extra == 0)
            {
                present.Add("\"unknown_field\":1");
            }

            return "{" + string.Join(",", present) + "}";
        });
        return Gen.Frequency((17, body), (3, Broken(body)));
    }

    /// <summary>A JSON string from <paramref name="values"/>.</summary>
    public static Gen<string> Str(params string[] values) => Gen.OneOf(values.Select(v => "\"" + v + "\"").ToArray());

    /// <summary>A JSON number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Gen<string> Number(int min, int max) => Gen.Int[min, max].Select(i => i.ToString(CultureInfo.InvariantCulture));

    /// <summary>A JSON array of <paramref name="item"/>, 0 to 4 long.</summary>
    public static Gen<string> Array(Gen<string> item) => item.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]");

    /// <summary>A JSON object of names to <paramref name="value"/>, 0 to 3 entries.</summary>
    public static Gen<string> Map(Gen<string> value) =>
        Gen.Select(Gen.OneOf("a", "zone", "MODE", "X_1", "").Array[0, 3], value.Array[3], (keys, values) =>
            "{" + string.Join(",", keys.Distinct().Select((k, i) => $"\"{k}\":{values[i]}")) + "}");

    private static Gen<string?> Member(string name, Gen<string> valid) => Gen.Frequency(
        (3, Gen.Const((string?)null)),
        (4, valid.Select(v => (string?)$"\"{name}\":{v}")),
        (3, Odd.Select(v => (string?)$"\"{name}\":{v}")));

    private static Gen<string> Odd { get; } = Gen.Frequency(
        (20, Gen.OneOf(OddValues)),
        (1, Gen.Int[1_000, 70_000].Select(n => "\"" + new string('x', n) + "\"")),
        (1, Gen.Int[60, 2_000].Select(n => new string('[', n) + new string(']', n))),
        (1, Gen.Int[60, 500].Select(n => string.Concat(Enumerable.Repeat("{\"a\":", n)) + "1" + new string('}', n))));

    private static Gen<string> Broken(Gen<string> body) => Gen.Frequency(
        (3, Gen.Select(body, Gen.Double[0, 1], (b, at) => b[..(int)(at * b.Length)])),
        (1, Gen.OneOf("", "null", "[]", "\"x\"", "42", "not json", "{\"a\":", "{,}", "\u0000", "{\"a\":1,\"a\":2}")),
        (1, Gen.Int[60, 5_000].Select(n => new string('[', n) + new string(']', n))),
        (1, Gen.Int[65 * 1024, 300 * 1024].Select(n => "{\"strategy\":\"" + new string('x', n) + "\"}")));

    private static Gen<string?[]> Sequence(Gen<string?>[] members) =>
        members.Aggregate(Gen.Const(System.Array.Empty<string?>()), (all, next) => Gen.Select(all, next, (a, n) => (string?[])[.. a, n]));
}
