"""Tests of the hass Python module (python/src/module.cpp).

Run by ctest (label "python") with PYTHONPATH at the built module; every test
is skipped when the module cannot be imported.
"""
import json
import os
import subprocess
import threading
import unittest
import warnings

try:
    import hass
except ImportError:  # the module was not built
    hass = None

SOURCE = os.environ.get("HASS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(SOURCE, "tests", "cli", "data")
TINY = os.path.join(DATA, "tiny.json")
TINY_FOLDING = os.path.join(DATA, "tiny_folding.json")
CLI = os.environ.get("HASS_CLI", "")

# one 3x3 convolution, 8x8x4 in, 8 filters, padded: with every folding factor 1
# the layer does one multiply-accumulate per cycle, so II = 8*8*4*8*9 = 18432
ONE_CONV = {
    "name": "one",
    "input": {"rows": 8, "cols": 8, "channels": 4},
    "layers": [{"name": "conv", "type": "convolution", "filters": 8, "kernel": 3, "pad": 1}],
}


def run_cli(*args):
    out = subprocess.run([CLI, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


@unittest.skipIf(hass is None, "the hass Python module is not built")
class NetworksAndBoards(unittest.TestCase):
    def test_zoo_and_boards(self):
        self.assertIn("resnet18", hass.models())
        names = [b.name for b in hass.boards()]
        self.assertIn("zedboard", names)
        z = hass.board("zedboard")
        self.assertEqual((z.dsp, z.clock_mhz), (220, 200))
        self.assertEqual(z.dict()["part"], "xc7z020clg484-1")
        with self.assertRaises(hass.Error):
            hass.board("no-such-board")

    def test_load(self):
        net = hass.load(TINY)
        self.assertEqual(net.name, "tiny")
        self.assertEqual(len(net), 10)
        self.assertIn("relu1.split", net.layers)
        again = hass.network(json.loads(net.json()))
        self.assertEqual(again.layers, net.layers)
        self.assertEqual(len(hass.load("resnet18")), len(hass.load("resnet18").layers))
        with self.assertRaises(hass.Error):
            hass.load("no-such-model")

    @unittest.skipUnless(hass is not None and hass.has_onnx, "built without ONNX import")
    def test_onnx(self):
        onnx_dir = os.path.join(SOURCE, "tests", "onnx", "data")
        models = sorted(f for f in os.listdir(onnx_dir) if f.endswith(".onnx")) if os.path.isdir(onnx_dir) else []
        if not models:
            self.skipTest("no ONNX test models")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the importer's notes on what hass computes differently
            net = hass.load(os.path.join(onnx_dir, models[0]))
        self.assertTrue(net.has_weights)
        self.assertGreater(len(net), 0)


@unittest.skipIf(hass is None, "the hass Python module is not built")
class Evaluate(unittest.TestCase):
    def test_one_mac_per_cycle(self):
        r = hass.evaluate(hass.network(ONE_CONV), board="zedboard")
        self.assertEqual(r.ii, 8 * 8 * 4 * 8 * 9)
        self.assertAlmostEqual(r.throughput_fps, 200e6 / 18432)
        self.assertTrue(r.fits)
        self.assertEqual(r.dict()["ii_cycles"], r.ii)
        self.assertEqual(json.loads(r.json())["board"], "zedboard")

    def test_folding_arguments_agree(self):
        net = hass.load(TINY)
        by_path = hass.evaluate(net, TINY_FOLDING, "zcu104")
        with open(TINY_FOLDING) as f:
            by_dict = hass.evaluate(net, json.load(f), "zcu104")
        by_object = hass.evaluate(net, by_path.folding, "zcu104")
        self.assertEqual(by_path.ii, by_dict.ii)
        self.assertEqual(by_path.ii, by_object.ii)
        self.assertEqual(by_path.ii, 45056)  # `hass eval tiny.json --board zcu104 --folding tiny_folding.json`
        fc = hass.evaluate(net, TINY_FOLDING, "zcu104", model="fpgaconvnet")
        self.assertEqual(fc["cost_model"], "fpgaconvnet")
        with self.assertRaises(ValueError):
            hass.evaluate(net, None, "zcu104", model="nope")

    @unittest.skipUnless(CLI and os.path.exists(CLI), "the hass command-line tool is not built")
    def test_same_as_cli(self):
        cli = run_cli("eval", TINY, "--board", "zcu104", "--folding", TINY_FOLDING, "--json")
        mine = hass.evaluate(hass.load(TINY), TINY_FOLDING, "zcu104").dict()
        for key in ("ii_cycles", "throughput_fps", "batch_fps", "resources", "layers"):
            self.assertEqual(mine[key], cli[key], key)


@unittest.skipIf(hass is None, "the hass Python module is not built")
class Search(unittest.TestCase):
    def test_search_and_reevaluate(self):
        net = hass.load(TINY)
        s = hass.search(net, "zcu104")
        self.assertTrue(s.found)
        self.assertLessEqual(s["ii_lower_bound"], s.ii)
        again = hass.evaluate(net, s.folding, "zcu104")
        self.assertEqual(again.ii, s.ii)
        self.assertIn("conv1", [layer["name"] for layer in s.folding.dict()["layers"]])
        greedy = hass.search(net, "zcu104", algo="greedy", partition="none")
        self.assertGreaterEqual(greedy.ii, s.ii)  # the optimal search is optimal
        with self.assertRaises(ValueError):
            hass.search(net, "zcu104", algo="nope")

    def test_partitions_travel_with_the_folding(self):
        # small_net cut into three partitions by its folding file (as hass search --out writes them)
        small = os.path.join(SOURCE, "tests", "hls", "designs", "network.json")
        parts = os.path.join(DATA, "small_net_partitioned_folding.json")
        r = hass.evaluate(small, parts, "zedboard")
        self.assertEqual(len(r["partitioned"]["partitions"]), 3)
        self.assertEqual(r["batch"], 16)
        self.assertEqual(r.folding.cuts, [2, 9])
        self.assertEqual(r.folding.dict()["partitions"][1], {"first": "pool1", "last": "add"})
        one = hass.evaluate(small, parts, "zedboard", partition="none")
        self.assertIsNone(one["partitioned"])
        # a partitioned search's folding re-evaluates to the searched batch throughput
        s = hass.search("resnet50", "zcu102")
        self.assertGreater(len(s.folding.cuts), 0)
        self.assertEqual(s.folding.batch, 256)
        again = hass.evaluate("resnet50", s.folding, "zcu102")
        self.assertEqual(again["batch_fps"], s["batch_fps"])
        again = hass.evaluate("resnet50", s.folding.dict(), "zcu102")
        self.assertEqual(again["batch_fps"], s["batch_fps"])

    @unittest.skipUnless(CLI and os.path.exists(CLI), "the hass command-line tool is not built")
    def test_same_as_cli(self):
        cli = run_cli("search", TINY, "--board", "zcu104", "--json")
        self.assertEqual(hass.search(TINY, "zcu104").ii, cli["ii_cycles"])


@unittest.skipIf(hass is None, "the hass Python module is not built")
class Cosearch(unittest.TestCase):
    def test_synthetic_table(self):
        c = hass.cosearch(TINY, "zcu104", budget=1.0)
        self.assertTrue(c.found)
        self.assertLessEqual(c.accuracy_drop, 1.0)
        self.assertEqual(set(c.thresholds), {"conv1", "conv2", "pw"})
        self.assertTrue(c["cosearch"]["accuracy"]["synthetic"])
        # the sparse design re-evaluates to the same II
        self.assertEqual(hass.evaluate(c.network, c.folding, "zcu104").ii, c.ii)

    def test_over_partitions(self):
        # 8 BRAM18 hold no design of tiny in one partition: the co-search runs over partitions
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            board = os.path.join(d, "tinyboard.json")
            with open(board, "w") as f:
                json.dump({"name": "tinyboard", "part": "none", "dsp": 10, "lut": 5000, "ff": 10000, "bram18": 8,
                           "uram": 0, "clock_mhz": 200, "bandwidth_gbps": 10, "reconf_time_s": 0.01}, f)
            c = hass.cosearch(TINY, board, budget=1.0)
            self.assertTrue(c.found)
            self.assertLessEqual(c.accuracy_drop, 1.0)
            cs = c["cosearch"]
            self.assertGreater(cs["dense"]["partitions"], 1)
            self.assertGreaterEqual(c.batch_fps, cs["dense"]["batch_throughput_fps"])
            self.assertEqual(len(cs["sparse"]["partition"]), cs["sparse"]["partitions"])
            # the folding carries the partitions: the CLI's eval reads it back
            plan = c.folding.dict()
            if cs["sparse"]["partitions"] > 1:
                self.assertIn("partitions", plan)
            one = hass.cosearch(TINY, board, budget=1.0, partition="none")
            self.assertFalse(one.found)
            with self.assertRaises(ValueError):
                hass.cosearch(TINY, board, partition="some")
            with self.assertRaises(ValueError):
                hass.cosearch(TINY, board, verify=lambda t: {"drop": 0.0})

    def test_python_oracle_is_called_and_respected(self):
        calls = []
        threads = set()

        def oracle(thresholds):
            calls.append(dict(thresholds))
            threads.add(threading.get_ident())
            # a drop of 10 points per unit of tau_w on conv2, nothing elsewhere
            return 10.0 * thresholds["conv2"][0]

        c = hass.cosearch(TINY, "zcu104", oracle=oracle, budget=0.5)
        self.assertGreater(len(calls), 1)
        self.assertEqual(c["cosearch"]["accuracy"]["calls"], len(calls))
        self.assertEqual(list(calls[0]), ["conv1", "conv2", "pw"])
        self.assertEqual(threads, {threading.get_ident()})
        tau_w = c.thresholds["conv2"][0]
        self.assertLessEqual(10.0 * tau_w, 0.5 + 1e-12)
        self.assertAlmostEqual(c.accuracy_drop, 10.0 * tau_w)
        # a looser budget buys at least as much speed
        loose = hass.cosearch(TINY, "zcu104", oracle=oracle, budget=5.0)
        self.assertLessEqual(loose.ii, c.ii)

    def test_batch_oracle_same_design_fewer_calls(self):
        def drop(t):
            return 10.0 * t["conv2"][0] + 2.0 * t["conv1"][1]

        for method in ("greedy", "tpe"):
            single_calls = []
            batches = []
            threads = set()

            def single(t):
                single_calls.append(t)
                return drop(t)

            def batch(candidates):
                self.assertIsInstance(candidates, list)
                threads.add(threading.get_ident())
                batches.append(len(candidates))
                return [drop(t) for t in candidates]

            one = hass.cosearch(TINY, "zcu104", oracle=single, budget=0.5, method=method, seed=2)
            many = hass.cosearch(TINY, "zcu104", oracle=batch, batch=True, budget=0.5, method=method, seed=2)
            self.assertEqual(many.thresholds, one.thresholds, method)
            self.assertEqual(many.ii, one.ii, method)
            self.assertEqual(many.accuracy_drop, one.accuracy_drop, method)
            self.assertEqual(many["cosearch"]["candidates"], one["cosearch"]["candidates"], method)
            self.assertEqual(one.oracle_calls, len(single_calls))
            self.assertEqual(many.oracle_calls, len(batches))
            self.assertEqual(many["cosearch"]["accuracy"]["calls"], len(batches))
            self.assertEqual(many["cosearch"]["oracle_candidates"], sum(batches))
            self.assertLess(len(batches), len(single_calls), method)
            self.assertGreater(max(batches), 1, method)
            self.assertEqual(threads, {threading.get_ident()})

    def test_batch_oracle_bad_answers(self):
        with self.assertRaisesRegex(hass.Error, "returned 2 drops for 1 candidates"):
            hass.cosearch(TINY, "zcu104", oracle=lambda c: [0.0] * (len(c) + 1), batch=True)
        with self.assertRaisesRegex(hass.Error, "negative drop.*candidate 1 of a batch"):
            hass.cosearch(TINY, "zcu104", oracle=lambda c: [-1.0] * len(c), batch=True)
        with self.assertRaisesRegex(hass.Error, "list of numbers"):
            hass.cosearch(TINY, "zcu104", oracle=lambda c: 0.0, batch=True)
        with self.assertRaisesRegex(hass.Error, "entry 1 of its answer is not a number"):
            hass.cosearch(TINY, "zcu104", oracle=lambda c: ["x"] * len(c), batch=True)
        with self.assertRaises(ValueError):
            hass.cosearch(TINY, "zcu104", batch=True)

        class Boom(Exception):
            pass

        def boom(candidates):
            raise Boom("batch failed")

        with self.assertRaises(Boom):
            hass.cosearch(TINY, "zcu104", oracle=boom, batch=True)

    def test_random_baseline(self):
        def oracle(t):
            return 10.0 * t["conv2"][0] + 2.0 * t["conv1"][1]

        plain = hass.cosearch(TINY, "zcu104", oracle=oracle, budget=1.0)
        self.assertIsNone(plain.random_baseline)
        c = hass.cosearch(TINY, "zcu104", oracle=oracle, budget=1.0, random_baseline=100)
        self.assertEqual(c.thresholds, plain.thresholds)
        self.assertEqual(c.ii, plain.ii)
        self.assertEqual(c["cosearch"]["candidates"], plain["cosearch"]["candidates"])
        rb = c.random_baseline
        self.assertEqual(rb["count"], 100)
        self.assertEqual(rb["oracle_calls"], 100)
        self.assertGreater(rb["within_budget"], 0)
        self.assertLessEqual(rb["best"]["accuracy_drop"], 1.0)
        self.assertIn("throughput_fps", rb["best"])
        self.assertEqual(rb["chosen"]["accuracy_drop"], c.accuracy_drop)
        # deterministic, and in batches with a batch oracle
        b = hass.cosearch(TINY, "zcu104", oracle=lambda cs: [oracle(t) for t in cs], batch=True, budget=1.0,
                          random_baseline=100)
        self.assertEqual(b.random_baseline["best"], rb["best"])
        self.assertEqual(b.random_baseline["oracle_calls"], 1)
        with self.assertRaises(ValueError):
            hass.cosearch(TINY, "zcu104", random_baseline=-1)

    def test_forbidding_oracle_gives_the_dense_thresholds(self):
        def oracle(thresholds):
            return 0.0 if all(w == 0 and a == 0 for w, a in thresholds.values()) else 100.0

        c = hass.cosearch(TINY, "zcu104", oracle=oracle, budget=1.0, method="tpe", seed=3)
        self.assertEqual(c.accuracy_drop, 0.0)
        self.assertTrue(all(t == (0.0, 0.0) for t in c.thresholds.values()))

    def test_oracle_exception_propagates(self):
        class Boom(Exception):
            pass

        def oracle(thresholds):
            raise Boom("evaluation failed")

        with self.assertRaises(Boom) as ctx:
            hass.cosearch(TINY, "zcu104", oracle=oracle)
        self.assertIn("evaluation failed", str(ctx.exception))

    def test_bad_oracle_answers(self):
        with self.assertRaises(hass.Error):
            hass.cosearch(TINY, "zcu104", oracle=lambda t: "not a number")
        with self.assertRaisesRegex(hass.Error, "negative drop"):
            hass.cosearch(TINY, "zcu104", oracle=lambda t: -1.0)
        with self.assertRaises(ValueError):
            hass.cosearch(TINY, "zcu104", oracle=lambda t: 0.0, accuracy="x.json")
        with self.assertRaises(TypeError):
            hass.cosearch(TINY, "zcu104", oracle=42)

    @unittest.skipUnless(CLI and os.path.exists(CLI), "the hass command-line tool is not built")
    def test_same_as_cli(self):
        cli = run_cli("search", TINY, "--board", "zcu104", "--sparsity", "synthetic", "--json")
        c = hass.cosearch(TINY, "zcu104")
        self.assertEqual(c.ii, cli["ii_cycles"])
        self.assertEqual(c.accuracy_drop, cli["cosearch"]["accuracy_drop"])


if __name__ == "__main__":
    unittest.main()
