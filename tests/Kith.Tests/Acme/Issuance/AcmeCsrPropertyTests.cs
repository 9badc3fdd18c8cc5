using System.Security.Cryptography;
using CsCheck;
using Kith.Acme;
using Kith.Acme.Issuance;

namespace Kith.Tests.Acme.Issuance;

public sealed class AcmeCsrPropertyTests
{
    private static readonly byte[] Good = TestCsrs.Dotnet(ECDsa.Create(ECCurve.NamedCurves.nistP256), "a.example", "a.example", "b.example");

    [Fact]
    public void The_unchanged_csr_is_accepted()
    {
        Assert.True(AcmeCsr.TryRead(Good, TestCsrs.Order, TestCsrs.OtherAccount, out _, out var problem), problem?.Detail);
    }

    [Fact]
    public void Flipping_bits_of_any_byte_of_a_good_csr_never_throws_and_never_passes()
    {
        Gen.Select(Gen.Int[0, Good.Length - 1], Gen.Byte[1, 255]).Sample((index, flip) =>
        {
            byte[] changed = (byte[])Good.Clone();
            changed[index] ^= flip;
            var accepted = AcmeCsr.TryRead(changed, TestCsrs.Order, TestCsrs.OtherAccount, out var request, out var problem);
            Assert.False(accepted, $"byte {index} xor {flip} was still accepted");
            Assert.Null(request);
            Assert.Equal(AcmeErrorType.BadCsr, problem!.Type);
        }, iter: 3000);
    }

    [Fact]
    public void Several_flips_at_once_never_throw_and_never_pass()
    {
        var flips = Gen.Select(Gen.Int[0, Good.Length - 1], Gen.Byte[1, 255]).Array[2, 6];
        flips.Sample(changes =>
        {
            byte[] changed = (byte[])Good.Clone();
            foreach (var (index, flip) in changes)
            {
                changed[index] ^= flip;
            }

            var unchanged = changed.AsSpan().SequenceEqual(Good);
            Assert.Equal(unchanged, AcmeCsr.TryRead(changed, TestCsrs.Order, TestCsrs.OtherAccount, out _, out _));
        }, iter: 2000);
    }

    [Fact]
    public void Random_bytes_and_truncations_never_throw()
    {
        Gen.Byte.Array[0, 400].Sample(bytes =>
            Assert.False(AcmeCsr.TryRead(bytes, TestCsrs.Order, TestCsrs.OtherAccount, out _, out _)));
        Gen.Int[0, Good.Length - 1].Sample(length =>
            Assert.False(AcmeCsr.TryRead(Good.AsMemory(0, length), TestCsrs.Order, TestCsrs.OtherAccount, out _, out _)));
    }
}
