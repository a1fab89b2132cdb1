import Foundation

/// An sRGB colour with 8-bit channels, written as `#rrggbb` in SVG and CSS.
public struct Colour: Sendable, Hashable, CustomStringConvertible {
    /// Red channel, 0...255.
    public var red: UInt8
    /// Green channel, 0...255.
    public var green: UInt8
    /// Blue channel, 0...255.
    public var blue: UInt8

    /// A colour from its three 8-bit channels.
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Parses `#rrggbb` or `rrggbb` (either case); nil for anything else.
    public init?(hex: String) {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return nil }
        self.init(red: UInt8((value >> 16) & 0xFF), green: UInt8((value >> 8) & 0xFF), blue: UInt8(value & 0xFF))
    }

    /// Lower-case `#rrggbb`.
    public var hex: String {
        let value = (UInt32(red) << 16) | (UInt32(green) << 8) | UInt32(blue)
        let text = String(value, radix: 16)
        return "#" + String(repeating: "0", count: 6 - text.count) + text
    }

    /// Same as `hex`.
    public var description: String { hex }

    /// WCAG 2 relative luminance in [0, 1]: channels linearised from sRGB, weighted
    /// 0.2126 R + 0.7152 G + 0.0722 B.
    public var relativeLuminance: Double {
        func linear(_ channel: UInt8) -> Double {
            let c = Double(channel) / 255
            return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    }

    /// Near-black or white, whichever has the larger WCAG contrast ratio against this
    /// colour; used for text drawn on a filled cell.
    public var contrastingText: Colour {
        let l = relativeLuminance
        let againstDark = (l + 0.05) / (Colour.ink.relativeLuminance + 0.05)
        let againstWhite = 1.05 / (l + 0.05)
        return againstDark >= againstWhite ? Colour.ink : Colour.white
    }

    /// The colour a fraction `t` (clamped to [0, 1]) of the way to `other`, interpolated
    /// per channel in sRGB and rounded to the nearest integer.
    public func mixed(with other: Colour, fraction t: Double) -> Colour {
        let f = t.isFinite ? min(max(t, 0), 1) : 0
        func channel(_ a: UInt8, _ b: UInt8) -> UInt8 {
            UInt8((Double(a) + (Double(b) - Double(a)) * f).rounded())
        }
        return Colour(red: channel(red, other.red), green: channel(green, other.green), blue: channel(blue, other.blue))
    }

    /// White, `#ffffff`.
    public static let white = Colour(red: 255, green: 255, blue: 255)
    /// The text colour of charts and reports, a near-black `#222222`.
    public static let ink = Colour(red: 0x22, green: 0x22, blue: 0x22)
}
