using BenchDaemon.Workloads.Models.Graph;
using A = BenchDaemon.Workloads.Models.Graph.OnnxAttribute;
using E = BenchDaemon.Workloads.Models.Graph.OnnxElementType;

namespace BenchDaemon.Bench.Corpus.Families;

/// <summary>ai.onnx.ml operators: maps in and out (ZipMap, DictVectorizer, CastMap), string inputs, classic ML models.</summary>
internal static class MachineLearning
{
    public static void Add(Corpus corpus)
    {
        var rng = new Rng(1212);
        var anyFloat = OnnxType.TensorOfAnyShape(E.Float);
        var anyInt64 = OnnxType.TensorOfAnyShape(E.Int64);
        AddMaps(corpus, rng, anyFloat);
        AddStrings(corpus);
        AddModels(corpus, rng, anyFloat, anyInt64);
    }

    private static void AddMaps(Corpus corpus, Rng rng, OnnxType anyFloat)
    {
        var probabilities = Nd.Random(rng, E.Float, [2, 3], 0, 1);
        long[] labels = [10, 20, 30];
        var seqOfInt64Maps = OnnxType.Sequence(OnnxType.Map(E.Int64, anyFloat));
        corpus.Add(new ModelSpec("ml", "zipmap-int64-labels"))
            .In("x", E.Float, "N", 3)
            .Out("z", seqOfInt64Maps)
            .Ml("zipmap", "ZipMap", ["x"], ["z"], A.Ints("classlabels_int64s", labels))
            .Feed("x", probabilities)
            .Expect(TestValue.SequenceOfMaps("z",
                OwnProto.Map(string.Empty, labels, probabilities.Narrow(0, 0, 1).Reshape(3)),
                OwnProto.Map(string.Empty, labels, probabilities.Narrow(0, 1, 2).Reshape(3))));
        corpus.Add(new ModelSpec("ml", "zipmap-string-labels"))
            .In("x", E.Float, "N", 3)
            .Out("z", OnnxType.Sequence(OnnxType.Map(E.String, anyFloat)))
            .Ml("zipmap", "ZipMap", ["x"], ["z"])
            .StringsAttribute("zipmap", "classlabels_strings", "cat", "dog", "bird");

        // DictVectorizer and CastMap take a map graph input.
        var stringMap = OnnxType.Map(E.String, anyFloat);
        corpus.Add(new ModelSpec("ml", "dictvectorizer-string-keys"))
            .In("m", stringMap)
            .Out("y", anyFloat)
            .Ml("vectorize", "DictVectorizer", ["m"], ["y"])
            .StringsAttribute("vectorize", "string_vocabulary", "k0", "k1", "k2", "k3", "k9")
            .Feed(TestValue.Map("m", ["k2", "k0", "k9"], Nd.Vector(E.Float, 2.5, -1, 4)))
            .Expect("y", Nd.Of(E.Float, [1, 5], -1, 0, 2.5, 0, 4));
        corpus.Add(new ModelSpec("ml", "dictvectorizer-string-keys-generated"))
            .In("m", stringMap)
            .Out("y", anyFloat)
            .Ml("vectorize", "DictVectorizer", ["m"], ["y"])
            .StringsAttribute("vectorize", "string_vocabulary", "k0", "k1", "k2", "k3");
        corpus.Add(new ModelSpec("ml", "dictvectorizer-int64-keys"))
            .In("m", OnnxType.Map(E.Int64, anyFloat))
            .Out("y", anyFloat)
            .Ml("vectorize", "DictVectorizer", ["m"], ["y"], A.Ints("int64_vocabulary", 0, 1, 2, 3, 7));
        corpus.Add(new ModelSpec("ml", "dictvectorizer-string-double"))
            .In("m", OnnxType.Map(E.String, OnnxType.TensorOfAnyShape(E.Double)))
            .Out("y", OnnxType.TensorOfAnyShape(E.Double))
            .Ml("vectorize", "DictVectorizer", ["m"], ["y"])
            .StringsAttribute("vectorize", "string_vocabulary", "k0", "k1", "k2", "k3");
        corpus.Add(new ModelSpec("ml", "castmap-dense"))
            .In("m", OnnxType.Map(E.Int64, anyFloat))
            .Out("y", anyFloat)
            .Ml("castmap", "CastMap", ["m"], ["y"], A.String("cast_to", "TO_FLOAT"))
            .Feed(TestValue.Map("m", [0, 1, 2], Nd.Vector(E.Float, 0.5, 1.5, -2)))
            .Expect("y", Nd.Of(E.Float, [1, 3], 0.5, 1.5, -2));
        corpus.Add(new ModelSpec("ml", "castmap-generated"))
            .In("m", OnnxType.Map(E.Int64, anyFloat))
            .Out("y", anyFloat)
            .Ml("castmap", "CastMap", ["m"], ["y"], A.String("cast_to", "TO_FLOAT"));
    }

    private static void AddStrings(Corpus corpus)
    {
        corpus.Add(new ModelSpec("ml", "labelencoder-string-to-int64"))
            .In("x", E.String, "N")
            .Out("y", E.Int64, "N")
            .Ml("encode", "LabelEncoder", ["x"], ["y"], A.Ints("values_int64s", 1, 5, 7), A.Int("default_int64", -1))
            .StringsAttribute("encode", "keys_strings", "w1", "w5", "w7")
            .Feed(TestValue.Strings("x", [4], "w1", "w7", "zzz", "w5"))
            .Expect("y", Nd.Vector(E.Int64, 1, 7, -1, 5));
        corpus.Add(new ModelSpec("ml", "labelencoder-string-generated"))
            .In("x", E.String, "N", 3)
            .Out("y", E.Int64, "N", 3)
            .Ml("encode", "LabelEncoder", ["x"], ["y"], A.Ints("values_int64s", 1, 5, 7))
            .StringsAttribute("encode", "keys_strings", "w1", "w5", "w7");
        corpus.Add(new ModelSpec("ml", "labelencoder-int64-to-string"))
            .In("x", E.Int64, "N")
            .Out("y", E.String, "N")
            .Ml("encode", "LabelEncoder", ["x"], ["y"], A.Ints("keys_int64s", 0, 1, 2))
            .StringsAttribute("encode", "values_strings", "zero", "one", "two")
            .Feed("x", Nd.Vector(E.Int64, 2, 0, 5))
            .Expect(TestValue.Strings("y", [3], "two", "zero", "_Unused"));
        corpus.Add(new ModelSpec("ml", "labelencoder-float-to-float"))
            .In("x", E.Float, "N")
            .Out("y", E.Float, "N")
            .Ml("encode", "LabelEncoder", ["x"], ["y"], A.Floats("keys_floats", 0.5f, 1.5f), A.Floats("values_floats", 5f, 15f));
        corpus.Add(new ModelSpec("ml", "categorymapper-string-to-int64"))
            .In("x", E.String, "N")
            .Out("y", E.Int64, "N")
            .Ml("map", "CategoryMapper", ["x"], ["y"], A.Ints("cats_int64s", 3, 4), A.Int("default_int64", -1))
            .StringsAttribute("map", "cats_strings", "w3", "w4");
        corpus.Add(new ModelSpec("ml", "onehotencoder-strings"))
            .In("x", E.String, "N")
            .Out("y", OnnxType.TensorOfAnyShape(E.Float))
            .Ml("encode", "OneHotEncoder", ["x"], ["y"])
            .StringsAttribute("encode", "cats_strings", "w1", "w2", "w3")
            .Feed(TestValue.Strings("x", [2], "w2", "nope"))
            .Expect("y", Nd.Of(E.Float, [2, 3], 0, 1, 0, 0, 0, 0));
    }

    private static void AddModels(Corpus corpus, Rng rng, OnnxType anyFloat, OnnxType anyInt64)
    {
        var x = Nd.Random(rng, E.Float, [2, 3], -2, 2);
        corpus.Add(new ModelSpec("ml", "scaler"))
            .In("x", E.Float, "N", 3)
            .Out("y", E.Float, "N", 3)
            .Ml("scale", "Scaler", ["x"], ["y"], A.Floats("offset", 0.5f, -1f, 0f), A.Floats("scale", 2f, 0.5f, 1f))
            .Feed("x", x)
            .Expect("y", Nd.Zip(v => (v[0] - v[1]) * v[2], E.Float, x, Nd.Vector(E.Float, 0.5, -1, 0), Nd.Vector(E.Float, 2, 0.5, 1)));
        corpus.Add(new ModelSpec("ml", "normalizer-l2"))
            .In("x", E.Float, "N", 3)
            .Out("y", E.Float, "N", 3)
            .Ml("normalize", "Normalizer", ["x"], ["y"], A.String("norm", "L2"))
            .Feed("x", x)
            .Expect("y", Nd.Zip(x, x.Reduce([1], true, g => Math.Sqrt(g.Sum(v => v * v))), (v, n) => v / n));
        corpus.Add(new ModelSpec("ml", "binarizer"))
            .In("x", E.Float, "N", 3)
            .Out("y", E.Float, "N", 3)
            .Ml("binarize", "Binarizer", ["x"], ["y"], A.Float("threshold", 0f))
            .Feed("x", x)
            .Expect("y", x.Map(v => v > 0 ? 1 : 0));
        var holes = Nd.Of(E.Float, [2, 3], 1, double.NaN, 3, double.NaN, 5, 6);
        corpus.Add(new ModelSpec("ml", "imputer-nan"))
            .In("x", E.Float, "N", 3)
            .Out("y", E.Float, "N", 3)
            .Ml("impute", "Imputer", ["x"], ["y"], A.Floats("imputed_value_floats", 0f, -1f, 0f), A.Float("replaced_value_float", float.NaN))
            .Feed("x", holes)
            .Expect("y", Nd.Of(E.Float, [2, 3], 1, -1, 3, 0, 5, 6));
        corpus.Add(new ModelSpec("ml", "arrayfeatureextractor"))
            .In("x", E.Float, "N", 3)
            .Out("y", E.Float, "N", 2)
            .Init("indices", 2, 0)
            .Ml("extract", "ArrayFeatureExtractor", ["x", "indices"], ["y"])
            .Feed("x", x)
            .Expect("y", x.Gather(1, Nd.Vector(E.Int64, 2, 0)));
        var p = Nd.Random(rng, E.Float, [2, 2]);
        corpus.Add(new ModelSpec("ml", "featurevectorizer"))
            .In("a", E.Float, "N", 2).In("b", E.Float, "N", 3)
            .Out("y", E.Float, "N", 5)
            .Ml("join", "FeatureVectorizer", ["a", "b"], ["y"], A.Ints("inputdimensions", 2, 3))
            .Feed("a", p).Feed("b", x)
            .Expect("y", Nd.Concat(1, p, x));

        var coefficients = new[] { 0.5f, -1f, 2f, 0.25f };
        var f = Nd.Random(rng, E.Float, [2, 4]);
        corpus.Add(new ModelSpec("ml", "linearregressor"))
            .In("x", E.Float, "N", 4)
            .Out("y", E.Float, "N", 1)
            .Ml("regress", "LinearRegressor", ["x"], ["y"], A.Floats("coefficients", coefficients), A.Floats("intercepts", 0.5f))
            .Feed("x", f)
            .Expect("y", f.MatMul(Nd.Of(E.Float, [4, 1], 0.5, -1, 2, 0.25), E.Double).Map(v => v + 0.5, E.Float));
        corpus.Add(new ModelSpec("ml", "linearclassifier-zipmap"))
            .In("x", E.Float, "N", 4)
            .Out("label", E.Int64, "N")
            .Out("probabilities", OnnxType.Sequence(OnnxType.Map(E.Int64, anyFloat)))
            .Ml("classify", "LinearClassifier", ["x"], ["label", "scores"],
                A.Floats("coefficients", rng.Floats(12, 1)), A.Floats("intercepts", 0.1f, 0f, -0.1f), A.Ints("classlabels_ints", 0, 1, 2), A.String("post_transform", "SOFTMAX"))
            .Ml("zipmap", "ZipMap", ["scores"], ["probabilities"], A.Ints("classlabels_int64s", 0, 1, 2));

        // One regression tree: x0 <= 0.5 gives 1, else 2.
        var t = Nd.Of(E.Float, [3, 2], 0.2, 9, 0.7, -9, 0.5, 0);
        corpus.Add(new ModelSpec("ml", "treeensembleregressor"))
            .In("x", E.Float, "N", 2)
            .Out("y", E.Float, "N", 1)
            .Ml("trees", "TreeEnsembleRegressor", ["x"], ["y"],
                A.Ints("nodes_treeids", 0, 0, 0), A.Ints("nodes_nodeids", 0, 1, 2), A.Ints("nodes_featureids", 0, 0, 0),
                A.Floats("nodes_values", 0.5f, 0f, 0f), A.Ints("nodes_truenodeids", 1, 0, 0), A.Ints("nodes_falsenodeids", 2, 0, 0),
                A.Ints("target_treeids", 0, 0), A.Ints("target_nodeids", 1, 2), A.Ints("target_ids", 0, 0), A.Floats("target_weights", 1f, 2f),
                A.Int("n_targets", 1))
            .StringsAttribute("trees", "nodes_modes", "BRANCH_LEQ", "LEAF", "LEAF")
            .Feed("x", t)
            .Expect("y", Nd.Of(E.Float, [3, 1], 1, 2, 1));
        corpus.Add(new ModelSpec("ml", "treeensembleclassifier"))
            .In("x", E.Float, "N", 2)
            .Out("label", anyInt64)
            .Out("scores", anyFloat)
            .Ml("trees", "TreeEnsembleClassifier", ["x"], ["label", "scores"],
                A.Ints("nodes_treeids", 0, 0, 0), A.Ints("nodes_nodeids", 0, 1, 2), A.Ints("nodes_featureids", 1, 0, 0),
                A.Floats("nodes_values", 0f, 0f, 0f), A.Ints("nodes_truenodeids", 1, 0, 0), A.Ints("nodes_falsenodeids", 2, 0, 0),
                A.Ints("class_treeids", 0, 0), A.Ints("class_nodeids", 1, 2), A.Ints("class_ids", 0, 1), A.Floats("class_weights", 1f, 1f),
                A.Ints("classlabels_int64s", 0, 1))
            .StringsAttribute("trees", "nodes_modes", "BRANCH_LT", "LEAF", "LEAF");
    }
}
