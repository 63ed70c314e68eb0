using System.Reflection;
using System.Reflection.Emit;
using BenchDaemon.Cli;

namespace BenchDaemon.Tests.Hosting;

/// <summary>
/// The daemon's feature folders (namespaces under <c>BenchDaemon.</c>, docs/architecture.md's rooms)
/// depend on each other one way: no two features reach each other, directly or through others.
/// Dependencies are read from the compiled assembly — signatures, fields, locals and every type,
/// method and field the IL names — so a fully qualified name counts as much as a using directive.
/// </summary>
public sealed class FeatureDependencyTests
{
    // The composition roots: they wire every feature together, and only Program uses them.
    private static readonly HashSet<string> s_roots = new(StringComparer.Ordinal) { "Cli", "Hosting" };

    private static readonly OpCode[] s_oneByte = new OpCode[0x100];
    private static readonly OpCode[] s_twoByte = new OpCode[0x100];

    static FeatureDependencyTests()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var code = (OpCode)field.GetValue(null)!;
            var value = (ushort)code.Value;
            if (value < 0x100)
            {
                s_oneByte[value] = code;
            }
            else if ((value & 0xff00) == 0xfe00)
            {
                s_twoByte[value & 0xff] = code;
            }
        }
    }

    [Fact]
    public void Features_HaveNoCycle()
    {
        var edges = Dependencies(typeof(RunVerb).Assembly);
        var features = edges.Keys.Select(k => k.From).Concat(edges.Keys.Select(k => k.To)).Where(f => !s_roots.Contains(f)).ToHashSet(StringComparer.Ordinal);
        var cycles = new List<string>();
        foreach (var component in StronglyConnected(features, edges).Where(c => c.Count > 1))
        {
            var inside = edges.Where(e => component.Contains(e.Key.From) && component.Contains(e.Key.To))
                .Select(e => $"{e.Key.From} → {e.Key.To} ({e.Value})").Order(StringComparer.Ordinal);
            cycles.Add($"{string.Join(", ", component.Order(StringComparer.Ordinal))}:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", inside)}");
        }

        Assert.True(cycles.Count == 0, "features that depend on each other:" + Environment.NewLine + string.Join(Environment.NewLine, cycles));
    }

    [Fact]
    public void Dependencies_SeeSignaturesAndMethodBodies()
    {
        var edges = Dependencies(typeof(RunVerb).Assembly);

        // Regression reads the store, Scheduling hands results to the recorder and the gate; History
        // knows nothing of Regression. (Method bodies count too: Configuration → Security, in the
        // list above, is one partly qualified call in MetricsOptionsValidator and nothing else.)
        Assert.Contains(("Regression", "History"), edges.Keys);
        Assert.Contains(("Scheduling", "Regression"), edges.Keys);
        Assert.Contains(("Scheduling", "History"), edges.Keys);
        Assert.DoesNotContain(("History", "Regression"), edges.Keys);
    }

    /// <summary>Feature → feature edges of <paramref name="assembly"/>, each with one type pair that makes it.</summary>
    private static Dictionary<(string From, string To), string> Dependencies(Assembly assembly)
    {
        var edges = new Dictionary<(string From, string To), string>();
        foreach (var type in assembly.GetTypes())
        {
            if (Feature(type) is not { } from)
            {
                continue;
            }

            foreach (var used in Referenced(type).SelectMany(Flatten).Distinct())
            {
                if (used.Assembly == assembly && Feature(used) is { } to && to != from)
                {
                    edges.TryAdd((from, to), $"{type.FullName} uses {used.FullName}");
                }
            }
        }

        return edges;
    }

    private static string? Feature(Type type)
    {
        var parts = (type.Namespace ?? string.Empty).Split('.');
        return parts.Length >= 2 && parts[0] == "BenchDaemon" ? parts[1] : null;
    }

    private static IEnumerable<Type> Referenced(Type type)
    {
        const BindingFlags declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var implemented in type.GetInterfaces())
        {
            yield return implemented;
        }

        foreach (var field in type.GetFields(declared))
        {
            yield return field.FieldType;
        }

        foreach (var property in type.GetProperties(declared))
        {
            yield return property.PropertyType;
        }

        foreach (var method in type.GetMethods(declared).Cast<MethodBase>().Concat(type.GetConstructors(declared)))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }

            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }

            foreach (var used in Body(type, method))
            {
                yield return used;
            }
        }
    }

    private static IEnumerable<Type> Body(Type type, MethodBase method)
    {
        var body = method.GetMethodBody();
        if (body is null)
        {
            yield break;
        }

        foreach (var local in body.LocalVariables)
        {
            yield return local.LocalType;
        }

        var il = body.GetILAsByteArray() ?? [];
        var typeArguments = type.IsGenericTypeDefinition ? type.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethodDefinition ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            var code = il[i] == 0xfe ? s_twoByte[il[i + 1]] : s_oneByte[il[i]];
            i += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok:
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArguments, methodArguments);
                    if (member is Type named)
                    {
                        yield return named;
                    }
                    else if (member?.DeclaringType is { } declaring)
                    {
                        yield return declaring;
                        if (member is MethodInfo { IsGenericMethod: true } generic)
                        {
                            foreach (var argument in generic.GetGenericArguments())
                            {
                                yield return argument;
                            }
                        }
                    }

                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (4 * BitConverter.ToInt32(il, i));
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }

    // Arrays, pointers, by-refs and generic arguments name the types inside them.
    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var inner in Flatten(type.GetElementType()!))
            {
                yield return inner;
            }

            yield break;
        }

        yield return type;
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Flatten))
            {
                yield return argument;
            }
        }
    }

    // Tarjan's algorithm: the strongly connected components of the feature graph.
    private static List<HashSet<string>> StronglyConnected(HashSet<string> nodes, Dictionary<(string From, string To), string> edges)
    {
        var next = nodes.ToDictionary(n => n, n => edges.Keys.Where(e => e.From == n && nodes.Contains(e.To)).Select(e => e.To).ToList(), StringComparer.Ordinal);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var components = new List<HashSet<string>>();
        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            foreach (var to in next[node])
            {
                if (!index.TryGetValue(to, out var seen))
                {
                    Visit(to);
                    low[node] = Math.Min(low[node], low[to]);
                }
                else if (stack.Contains(to))
                {
                    low[node] = Math.Min(low[node], seen);
                }
            }

            if (low[node] == index[node])
            {
                var component = new HashSet<string>(StringComparer.Ordinal);
                string member;
                do
                {
                    member = stack.Pop();
                    component.Add(member);
                }
                while (member != node);
                components.Add(component);
            }
        }

        foreach (var node in nodes.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        return components;
    }
}
