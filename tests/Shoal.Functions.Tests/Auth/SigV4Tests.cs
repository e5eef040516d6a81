using System.Text;
using Shoal.Functions.Auth;

namespace Shoal.Functions.Tests.Auth;

/// <summary>Against AWS's published Signature Version 4 test suite (get-vanilla, post-vanilla), then the verifier's refusals.</summary>
public sealed class SigV4Tests
{
    private const string KeyId = "AKIDEXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string GetVanillaSignature = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    private const string PostVanillaSignature = "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b";
    private static readonly DateTimeOffset s_signedAt = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    private static SigV4Request Vanilla(string method, string signature, string payloadSha256 = EmptySha256, string amzDate = "20150830T123600Z", string scope = "20150830/us-east-1/service/aws4_request") =>
        new(method, "/", "", [
            new("Host", "example.amazonaws.com"),
            new("X-Amz-Date", amzDate),
            new("Authorization", $"AWS4-HMAC-SHA256 Credential={KeyId}/{scope}, SignedHeaders=host;x-amz-date, Signature={signature}"),
        ], payloadSha256);

    [Fact]
    public void CanonicalRequest_GetVanilla_IsTheSuitesCanonicalRequest()
    {
        var canonical = SigV4.CanonicalRequest(Vanilla("GET", GetVanillaSignature), ["host", "x-amz-date"]);

        Assert.Equal($"GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n{EmptySha256}", canonical);
    }

    [Fact]
    public void StringToSign_GetVanilla_IsTheSuitesStringToSign()
    {
        var canonical = SigV4.CanonicalRequest(Vanilla("GET", GetVanillaSignature), ["host", "x-amz-date"]);

        Assert.Equal(
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            SigV4.StringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical));
    }

    [Theory]
    [InlineData("GET", GetVanillaSignature)]
    [InlineData("POST", PostVanillaSignature)]
    public void Sign_Vanilla_IsTheSuitesSignature(string method, string expected)
    {
        var canonical = SigV4.CanonicalRequest(Vanilla(method, expected), ["host", "x-amz-date"]);
        var stringToSign = SigV4.StringToSign("20150830T123600Z", "20150830/us-east-1/service/aws4_request", canonical);

        Assert.Equal(expected, SigV4.Sign(Secret, "20150830", "us-east-1", "service", stringToSign));
    }

    [Theory]
    [InlineData("GET", GetVanillaSignature)]
    [InlineData("POST", PostVanillaSignature)]
    public void Verify_SuiteRequestAtItsTime_IsAccepted(string method, string signature)
    {
        Assert.Null(SigV4.Verify(Vanilla(method, signature), KeyId, Secret, "service", s_signedAt));
        Assert.Null(SigV4.Verify(Vanilla(method, signature), KeyId, Secret, "service", s_signedAt + TimeSpan.FromMinutes(15)));
        Assert.Null(SigV4.Verify(Vanilla(method, signature), KeyId, Secret, "service", s_signedAt - TimeSpan.FromMinutes(15)));
    }

    [Fact]
    public void Verify_MoreThanFifteenMinutesOff_IsRefused()
    {
        var late = SigV4.Verify(Vanilla("GET", GetVanillaSignature), KeyId, Secret, "service", s_signedAt + TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        var early = SigV4.Verify(Vanilla("GET", GetVanillaSignature), KeyId, Secret, "service", s_signedAt - TimeSpan.FromMinutes(16));

        Assert.Equal("the signature was made at 20150830T123600Z, more than 15 minutes from now", late);
        Assert.Equal(late, early);
    }

    [Fact]
    public void Verify_AnotherSecret_IsRefused()
    {
        Assert.Equal("the signature does not match", SigV4.Verify(Vanilla("GET", GetVanillaSignature), KeyId, Secret + "x", "service", s_signedAt));
    }

    [Fact]
    public void Verify_TamperedSignatureMethodOrBody_IsRefused()
    {
        var flipped = "6" + GetVanillaSignature[1..];
        var otherBody = SigV4.Sha256Hex(Encoding.UTF8.GetBytes("{}"));

        Assert.Equal("the signature does not match", SigV4.Verify(Vanilla("GET", flipped), KeyId, Secret, "service", s_signedAt));
        Assert.Equal("the signature does not match", SigV4.Verify(Vanilla("POST", GetVanillaSignature), KeyId, Secret, "service", s_signedAt));
        Assert.Equal("the signature does not match", SigV4.Verify(Vanilla("GET", GetVanillaSignature, otherBody), KeyId, Secret, "service", s_signedAt));
    }

    [Fact]
    public void Verify_AnotherKeyIdOrService_IsRefused()
    {
        Assert.Equal("the access key id is not the one configured for the Invoke API", SigV4.Verify(Vanilla("GET", GetVanillaSignature), "AKIDOTHER", Secret, "service", s_signedAt));
        Assert.Equal("the credential scope names service 'service', not 'lambda'", SigV4.Verify(Vanilla("GET", GetVanillaSignature), KeyId, Secret, "lambda", s_signedAt));
    }

    [Fact]
    public void Verify_ScopeDateNotTheRequestDate_IsRefused()
    {
        var request = Vanilla("GET", GetVanillaSignature, scope: "20150831/us-east-1/service/aws4_request");

        Assert.Equal("the credential scope's date is not the date of x-amz-date", SigV4.Verify(request, KeyId, Secret, "service", s_signedAt));
    }

    [Fact]
    public void Verify_MalformedHeaders_AreRefusedWithoutThrowing()
    {
        SigV4Request With(string authorization) => new("GET", "/", "", [new("Host", "h"), new("X-Amz-Date", "20150830T123600Z"), new("Authorization", authorization)], EmptySha256);

        Assert.Equal("the request is not signed with AWS4-HMAC-SHA256", SigV4.Verify(With("Bearer x"), KeyId, Secret, "service", s_signedAt));
        Assert.Equal("the Authorization header is malformed", SigV4.Verify(With("AWS4-HMAC-SHA256 Credential"), KeyId, Secret, "service", s_signedAt));
        Assert.Equal("the Authorization header needs Credential, SignedHeaders and Signature", SigV4.Verify(With("AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request"), KeyId, Secret, "service", s_signedAt));
        Assert.Equal("the credential scope is malformed", SigV4.Verify(With("AWS4-HMAC-SHA256 Credential=a, SignedHeaders=host;x-amz-date, Signature=00"), KeyId, Secret, "service", s_signedAt));
        Assert.Equal("SignedHeaders must list host and x-amz-date, in lower case and sorted",
            SigV4.Verify(With($"AWS4-HMAC-SHA256 Credential={KeyId}/20150830/us-east-1/service/aws4_request, SignedHeaders=host, Signature=00"), KeyId, Secret, "service", s_signedAt));
    }

    [Fact]
    public void CanonicalRequest_QueryAndEncodedPath_AreNormalized()
    {
        var request = new SigV4Request("POST", "/2015-03-31/functions/echo%3A1/invocations", "b=2&a=%7e&a=1", [new("Host", "h"), new("X-Amz-Date", "d")], EmptySha256);

        var canonical = SigV4.CanonicalRequest(request, ["host", "x-amz-date"]);

        Assert.StartsWith("POST\n/2015-03-31/functions/echo%253A1/invocations\na=1&a=~&b=2\nhost:h\nx-amz-date:d\n", canonical, StringComparison.Ordinal);
    }
}
