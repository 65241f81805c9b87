using System.Diagnostics;
using Siphon.Runtime.Config;
using Siphon.Runtime.Tests.EndToEnd;
using YamlDotNet.RepresentationModel;

namespace Siphon.Runtime.Tests.Operations;

/// <summary>deploy/: no cluster here, and images are built by hand, so what can be checked here is: the
/// manifests render with kubectl kustomize, the rendered objects agree with the code and with the
/// http.yaml they ship (loaded by the real ConfigLoader), and the Dockerfile installs the release
/// tarball. deploy/image.sh builds and runs the image with podman (by hand: docs/deployment.md).</summary>
public class DeployTests
{
    private static readonly string K8s = Path.Combine(SiphonProcess.RepoRoot, "deploy/k8s");

    private static List<YamlMappingNode> Render(string dir)
    {
        var psi = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("kustomize");
        psi.ArgumentList.Add(dir);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"kubectl kustomize {dir} failed ({p.ExitCode}):\n{stderr}");
        var stream = new YamlStream();
        stream.Load(new StringReader(stdout.Result));
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static YamlNode At(YamlNode node, params object[] path)
    {
        foreach (var step in path)
            node = step is int i ? ((YamlSequenceNode)node)[i] : ((YamlMappingNode)node)[new YamlScalarNode((string)step)];
        return node;
    }

    private static string S(YamlNode node, params object[] path) => ((YamlScalarNode)At(node, path)).Value!;

    private static YamlMappingNode One(List<YamlMappingNode> objects, string kind, string name) =>
        objects.Single(o => S(o, "kind") == kind && (S(o, "metadata", "name") == name
            || kind == "ConfigMap" && S(o, "metadata", "name").StartsWith(name + "-", StringComparison.Ordinal))); // generated: name-HASH

    private static int PortNumber(YamlMappingNode container, string nameOrNumber) =>
        int.TryParse(nameOrNumber, out var n) ? n
        : int.Parse(S(((YamlSequenceNode)At(container, "ports")).Cast<YamlMappingNode>().Single(p => S(p, "name") == nameOrNumber), "containerPort"));

    [Fact]
    public void The_rendered_manifests_match_the_admin_listener_drain_and_config_they_ship()
    {
        var objects = Render(K8s);
        Assert.Equal(["ConfigMap", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Service"],
            objects.Select(o => S(o, "kind")).Order().ToArray());

        // The ConfigMap's http.yaml loads with the real loader (REDIS_URL unset: the embedded store).
        var configMap = One(objects, "ConfigMap", "siphon-config");
        using var dir = new TempDir();
        var httpYaml = dir.Write("http.yaml", S(configMap, "data", "http.yaml"));
        var config = ConfigLoader.Load(httpYaml, _ => null);
        Assert.NotNull(config.Admin);
        Assert.Null(config.Caches.Single(c => c.Name == "shared").Redis);
        // Reachable from the kubelet and the Service: all interfaces, not loopback.
        Assert.Equal("0.0.0.0", config.Admin!.Listen.Host);
        Assert.All(config.Servers, s => Assert.Equal("0.0.0.0", s.Listen.Host));
        Assert.Contains("app.py", ((YamlMappingNode)At(configMap, "data")).Children.Keys.Select(k => ((YamlScalarNode)k).Value));

        var deployment = One(objects, "Deployment", "siphon");
        var pod = At(deployment, "spec", "template", "spec");
        var container = (YamlMappingNode)At(pod, "containers", 0);
        // Probes: the admin listener's paths and port.
        Assert.Equal("/readyz", S(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/livez", S(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal(config.Admin.Listen.Port, PortNumber(container, S(container, "readinessProbe", "httpGet", "port")));
        Assert.Equal(config.Admin.Listen.Port, PortNumber(container, S(container, "livenessProbe", "httpGet", "port")));
        Assert.Equal(config.Admin.Listen.Port, PortNumber(container, S(container, "startupProbe", "httpGet", "port")));
        // The grace period covers preStop's sleep plus the configured drain.
        var preStop = ((YamlSequenceNode)At(container, "lifecycle", "preStop", "exec", "command")).Select(n => ((YamlScalarNode)n).Value).ToList();
        Assert.Equal("sleep", preStop[0]);
        var graceMs = int.Parse(S(pod, "terminationGracePeriodSeconds")) * 1000;
        Assert.True(graceMs > int.Parse(preStop[1]!) * 1000 + config.ShutdownGraceMs,
            $"terminationGracePeriodSeconds ({graceMs} ms) must exceed preStop ({preStop[1]} s) + shutdown_grace_ms ({config.ShutdownGraceMs})");
        // The ConfigMap is what the pod mounts, where the image's entrypoint reads it.
        var volume = ((YamlSequenceNode)At(pod, "volumes")).Cast<YamlMappingNode>().Single(v => S(v, "name") == "config");
        Assert.Equal(S(configMap, "metadata", "name"), S(volume, "configMap", "name"));
        var mount = ((YamlSequenceNode)At(container, "volumeMounts")).Cast<YamlMappingNode>().Single(v => S(v, "name") == "config");
        var dockerfile = File.ReadAllText(Path.Combine(SiphonProcess.RepoRoot, "deploy/Dockerfile"));
        Assert.Contains($"\"{S(mount, "mountPath")}/app.py\", \"--config\", \"{S(mount, "mountPath")}/http.yaml\"", dockerfile);
        // Requests (the HPA's utilisation is against them) and a locked-down container.
        Assert.NotNull(S(container, "resources", "requests", "cpu"));
        Assert.NotNull(S(container, "resources", "requests", "memory"));
        Assert.Equal("true", S(pod, "securityContext", "runAsNonRoot"));
        Assert.Equal("false", S(container, "securityContext", "allowPrivilegeEscalation"));
        Assert.Equal("true", S(container, "securityContext", "readOnlyRootFilesystem"));

        // The Service reaches the serving port, not the admin one.
        var service = One(objects, "Service", "siphon");
        var target = S(service, "spec", "ports", 0, "targetPort");
        Assert.Equal(config.Servers[0].Listen.Port, PortNumber(container, target));
        Assert.DoesNotContain(((YamlSequenceNode)At(service, "spec", "ports")).Cast<YamlMappingNode>(), p => S(p, "targetPort") is "admin" or "9090");
        Assert.Equal("cpu", S(One(objects, "HorizontalPodAutoscaler", "siphon"), "spec", "metrics", 0, "resource", "name"));
        Assert.Equal("siphon", S(One(objects, "PodDisruptionBudget", "siphon"), "spec", "selector", "matchLabels", "app.kubernetes.io/name"));
    }

    [Fact]
    public void The_redis_component_adds_a_redis_the_configmap_cache_url_expands_to()
    {
        // Turn the component on in a copy, as a user would (components: [redis]).
        using var dir = new TempDir();
        foreach (var f in Directory.EnumerateFiles(K8s, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(dir.Path, Path.GetRelativePath(K8s, f));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(f, to);
        }
        File.AppendAllText(Path.Combine(dir.Path, "kustomization.yaml"), "components:\n  - redis\n");
        var objects = Render(dir.Path);
        var redisService = One(objects, "Service", "siphon-redis");
        var container = At(One(objects, "Deployment", "siphon"), "spec", "template", "spec", "containers", 0);
        var env = ((YamlSequenceNode)At(container, "env")).Cast<YamlMappingNode>().ToDictionary(e => S(e, "name"), e => S(e, "value"));
        var url = env["REDIS_URL"];
        Assert.Equal($"redis://{S(redisService, "metadata", "name")}:{S(redisService, "spec", "ports", 0, "port")}", url);

        var httpYaml = dir.Write("loaded.yaml", S(One(objects, "ConfigMap", "siphon-config"), "data", "http.yaml"));
        var config = ConfigLoader.Load(httpYaml, name => env.GetValueOrDefault(name));
        var redis = config.Caches.Single(c => c.Name == "shared").Redis;
        Assert.NotNull(redis);
        Assert.Equal("siphon-redis", redis!.Host);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_dockerfile_installs_the_release_tarball_on_a_base_given_as_an_argument_as_a_non_root_user()
    {
        var root = SiphonProcess.RepoRoot;
        var lines = File.ReadAllLines(Path.Combine(root, "deploy/Dockerfile")).Where(l => !l.StartsWith('#')).ToList();
        // One stage on whatever base the user names (deploy/image.sh: a local mmdebstrap base).
        Assert.Equal(["FROM ${BASE}"], lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)));
        Assert.True(lines.FindIndex(l => l.StartsWith("ARG BASE=", StringComparison.Ordinal)) is var arg && arg >= 0
            && arg < lines.FindIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal)), "ARG BASE=... must come before FROM");
        // The release's tarball, by the name scripts/release.sh gives it, and the version as its label.
        Assert.Contains("ADD siphon-${VERSION}-linux-x64.tar.gz /opt/", lines);
        var release = File.ReadAllText(Path.Combine(root, "scripts/release.sh"));
        Assert.Contains("name=\"siphon-$version-$rid\"", release);
        Assert.Contains("rid=linux-x64", release);
        Assert.Contains(lines, l => l.Contains("org.opencontainers.image.version=\"${VERSION}\"", StringComparison.Ordinal));
        // The entrypoint runs the tarball's host (no dotnet in the image) on the mounted script.
        Assert.Contains(lines, l => l.StartsWith("ENTRYPOINT [\"siphon\", \"run\", \"/etc/siphon/app.py\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("/lib/siphon\" /usr/local/bin/siphon", StringComparison.Ordinal));

        // Non-root, and the uid the pod runs as.
        var user = lines.Single(l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..].Split(':')[0];
        Assert.NotEqual("0", user);
        Assert.NotEqual("root", user);
        var pod = At(One(Render(K8s), "Deployment", "siphon"), "spec", "template", "spec");
        Assert.Equal(user, S(pod, "securityContext", "runAsUser"));

        // deploy/image.sh builds this recipe with the local base as BASE and runs it.
        var script = Path.Combine(root, "deploy/image.sh");
        Assert.True((File.GetUnixFileMode(script) & UnixFileMode.UserExecute) != 0, "deploy/image.sh is not executable");
        var text = File.ReadAllText(script);
        Assert.Contains("-f deploy/Dockerfile --build-arg \"BASE=$base\" --build-arg \"VERSION=$version\"", text);
        Assert.Contains("--read-only", text);
    }

    [Fact]
    public void The_manifests_name_the_image_at_the_release_version()
    {
        var props = File.ReadAllText(Path.Combine(SiphonProcess.RepoRoot, "Directory.Build.props"));
        var version = System.Text.RegularExpressions.Regex.Match(props, "<Version>([^<]+)</Version>").Groups[1].Value;
        Assert.NotEmpty(version);
        var container = At(One(Render(K8s), "Deployment", "siphon"), "spec", "template", "spec", "containers", 0);
        Assert.Equal($"siphon:{version}", S(container, "image"));
    }
}
