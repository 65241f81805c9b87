// req.form(): a buffered body read as a form with ASP.NET Core's own readers
// (Microsoft.AspNetCore.WebUtilities: FormReader for application/x-www-form-urlencoded,
// MultipartReader for multipart/form-data), in order, within fixed limits. The body is already in
// memory (max_body_bytes bounded it), so the readers run over a MemoryStream and finish without
// waiting. A file part's filename is kept as sent and never used as a path by the host.
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Siphon.Runtime.Http;

internal static class FormParser
{
    /// <summary>Fields (urlencoded pairs or multipart parts) a form may have.</summary>
    public const int MaxFields = 1000;

    /// <summary>Bytes a field's name or a non-file value may have.</summary>
    public const int MaxFieldBytes = 1 << 20;

    /// <summary>One field: a text value, or a file part (Value null).</summary>
    internal sealed record Entry(string Name, string? Value, string? FileName = null, string? ContentType = null, ReadOnlyMemory<byte> Data = default);

    /// <summary>The fields of <paramref name="body"/>, in order. A body that is not a form, is
    /// malformed, or passes a limit throws a BadRequestError naming why.</summary>
    public static List<Entry> Parse(string? contentType, ReadOnlyMemory<byte> body)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var media))
            throw Bad($"the body is not a form (content-type {(contentType is null ? "missing" : $"\"{contentType}\"")}; expected application/x-www-form-urlencoded or multipart/form-data)");
        if (media.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)) return Urlencoded(body);
        if (media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
            if (string.IsNullOrEmpty(boundary)) throw Bad("multipart/form-data without a boundary");
            return Multipart(boundary, body);
        }
        throw Bad($"the body is not a form (content-type \"{contentType}\"; expected application/x-www-form-urlencoded or multipart/form-data)");
    }

    private static List<Entry> Urlencoded(ReadOnlyMemory<byte> body)
    {
        var entries = new List<Entry>();
        using var reader = new FormReader(AsStream(body), Encoding.UTF8)
        {
            ValueCountLimit = MaxFields,
            KeyLengthLimit = MaxFieldBytes,
            ValueLengthLimit = MaxFieldBytes,
        };
        try
        {
            while (reader.ReadNextPair() is { } pair)
            {
                if (entries.Count == MaxFields) throw Bad($"the form has more than {MaxFields} fields");
                entries.Add(new(pair.Key, pair.Value));
            }
        }
        catch (InvalidDataException e)
        {
            throw Bad(e.Message);
        }
        return entries;
    }

    private static List<Entry> Multipart(string boundary, ReadOnlyMemory<byte> body)
    {
        var entries = new List<Entry>();
        var reader = new MultipartReader(boundary, AsStream(body)) { HeadersCountLimit = 16, HeadersLengthLimit = 16 * 1024 };
        try
        {
            // A MemoryStream completes every read at once: nothing here waits.
            while (reader.ReadNextSectionAsync().GetAwaiter().GetResult() is { } section)
            {
                if (entries.Count == MaxFields) throw Bad($"the form has more than {MaxFields} parts");
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                    throw Bad($"part {entries.Count + 1} has no Content-Disposition: form-data header");
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (name is null) throw Bad($"part {entries.Count + 1} has no name");
                using var data = new MemoryStream();
                section.Body.CopyTo(data);
                var fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value
                    : disposition.FileName.HasValue ? HeaderUtilities.RemoveQuotes(disposition.FileName).Value : null;
                if (fileName is not null)
                {
                    entries.Add(new(name, null, fileName, section.ContentType, data.ToArray()));
                    continue;
                }
                if (data.Length > MaxFieldBytes) throw Bad($"field {name} is larger than {MaxFieldBytes} bytes");
                entries.Add(new(name, Encoding.UTF8.GetString(data.GetBuffer(), 0, (int)data.Length)));
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw Bad($"malformed multipart body ({e.Message})");
        }
        return entries;
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> body) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);

    private static ScriptError Bad(string why) => new("BadRequestError", "req.form(): " + why, "siphon.http");
}
